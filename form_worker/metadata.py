"""Every table of the worker in one MetaData, for Alembic: each domain's models are imported here."""

from sqlalchemy import MetaData

from .accounts import models as _accounts  # noqa: F401
from .applications import models as _applications  # noqa: F401
from .applications import version as _version  # noqa: F401
from .core import throttle as _throttle  # noqa: F401
from .core.models import Base
from .feedback import models as _feedback  # noqa: F401
from .outbox import models as _outbox  # noqa: F401
from .publishing import models as _publishing  # noqa: F401
from .showcase import models as _showcase  # noqa: F401
from .submissions import models as _submissions  # noqa: F401
from .units import models as _units  # noqa: F401

metadata: MetaData = Base.metadata
