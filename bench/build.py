"""Benchmark `jianxi validate` and `jianxi build` against bare MkDocs Material builds of as many pages.

Run from the repository root:

    .venv/bin/python bench/build.py [N ...] [--rounds R] [--baseline TREE] [--keep]

For each N (default 5000 and 10000) a temporary project gets N synthetic valid positions in about
N/10 units (the repository's mkdocs.yml, content/ and overrides/ plus a generated positions/ tree),
and a bare site N plain Markdown pages carrying the same words, with the same theme, Markdown
extensions and custom_dir, kept out of the nav with not_in_nav. Each round then runs, each in its
own child process, its output folder removed first (untimed, for every command alike):

1. `jianxi validate`;
2. `jianxi build`, cold: an empty build cache (`--cache`);
3. the anchor: `mkdocs build` of the bare site with Material's own search plugin, as Material ships;
4. `jianxi build`, warm: the cache the cold build left (a rebuild, as the worker's next full build);
5. the floor: the bare site without the search plugin, MkDocs and Material rendering N pages and
   nothing else;
6. Pagefind alone on the project's search records, as a build hands them to it: the floor of the
   build's search step, and the largest process of the build (its peak RSS is the build's);
7. with --baseline TREE, `jianxi build` with the code of TREE (e.g. main's, `git archive main | tar
   -x -C TREE`) and this checkout's packages: the figure before a change, in the same rounds.

Each run's wall time, CPU time (user + system of the whole process tree: Pagefind's indexer and the
QR encoders included) and peak RSS (the largest process of the tree; "own": jianxi's own process)
are printed as they come, then the medians, and each build's ratio to the anchor and the floor of
the same round (median over rounds, with their range), with the load average the runs saw. Rounds
interleave the commands so outside load falls on all of them alike; on a shared machine compare the
ratios, not the seconds. The script always exits 0: it is a measurement, not a test. --keep leaves
the temporary folders (their paths are printed) for profiling.
"""

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pagefind.service import get_executable

from site_builder.model.credit_code import ALPHABET, check_character
from site_builder.model.vocab import (
    DISTRICTS,
    EDUCATION_LEVELS,
    POSITION_TYPES,
    TAGS,
    TRACKS,
    UNIT_CATEGORIES,
)

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
VALIDATE_SECONDS = 3.0
CPU_RATIO = 1.3
WALL_RATIO = 1.0
PEAK_MB = 500.0
# Nav pages that `jianxi build` generates itself; any other nav page missing from content/ (the
# site text is still being written) gets a stub in the temporary project so strict mode passes.
GENERATED_NAV = {"positions/index.md", "units/index.md", "browse.md", "showcase/index.md"}

# --- Synthetic data ------------------------------------------------------------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉宇浩然思雨欣怡子涵"
MENTOR_TITLES = [
    "学术部部长",
    "科普教育部主任、副研究馆员",
    "编辑部主任、副编审",
    "研发管理部经理、研究员",
    "国际合作部主管",
    "办公室主任",
    "质量控制实验室主管、高级工程师",
    "技术转移中心副主任",
    "新媒体中心负责人",
    "会员服务部副部长",
]
UNIT_NAMES = {
    "在渝高校": ("重庆{place}{field}职业技术学院", "重庆{place}{field}学院"),
    "市级学会（协会、研究会）": ("重庆市{field}学会", "重庆市青年{field}研究会"),
    "科普场馆": ("重庆{place}科技馆", "重庆{place}{field}科普教育基地"),
    "科技期刊": ("《{field}研究》编辑部", "重庆{field}期刊社"),
    "国际科技组织": ("中国—东盟{field}合作中心（重庆）", "重庆{field}国际交流中心"),
    "企业科协": ("重庆{place}{field}有限公司科协", "重庆{field}集团科学技术协会"),
    "园区科协": ("{place}{field}产业园科协", "重庆{place}科学城园区科协"),
    "科技企事业单位": ("重庆{place}{field}科技有限公司", "重庆{field}研究院有限公司"),
    "其他": ("重庆{place}{field}服务中心", "重庆{field}创新促进会"),
}
FIELDS = [
    "生物医药",
    "智能制造",
    "新材料",
    "电子信息",
    "汽车工程",
    "数字经济",
    "生态环境",
    "现代农业",
    "人工智能",
    "集成电路",
    "能源化工",
    "城市规划",
]
ROLES = {
    "学术助理": ["学术会议组织助理", "会员服务助理", "学术交流活动助理", "科技咨询助理"],
    "科普助理": ["科普活动策划助理", "展项讲解助理", "科普短视频助理", "科普文案助理"],
    "编辑助理": ["期刊编辑助理", "稿件初审助理", "期刊新媒体运营助理", "审稿联络助理"],
    "科创助理": ["研发项目服务助理", "技术需求调研助理", "产学研对接助理", "科技成果转化助理"],
    "国际助理": ["国际联络助理", "国际会议保障助理", "技术资料翻译助理", "涉外交流助理"],
}
DUTIES = [
    "协助策划和组织学会年会、青年学术沙龙和专题研讨会，负责会前通知、嘉宾联络和会场服务。",
    "联系服务会员，整理会员信息和会议资料，维护会员数据库并定期更新。",
    "参与科普活动的方案策划和现场执行，面向中小学生讲解展项背后的科学原理。",
    "撰写科普推文和活动报道，参与拍摄和剪辑科普短视频，运营单位的新媒体账号。",
    "负责来稿的形式审查和初审登记，联系作者和审稿人，跟踪稿件的审稿进度。",
    "协助编辑做稿件的编辑加工和校对，核对参考文献、图表和计量单位的规范性。",
    "跟踪研发项目的节点进度，整理实验记录和阶段报告，协助准备项目验收材料。",
    "走访园区企业，调研整理企业的技术需求和人才需求，建立需求清单并跟踪对接结果。",
    "协助组织产学研对接会和技术成果路演，联系高校课题组和企业研发负责人。",
    "处理国际联络邮件和来访接待，协助筹办国际学术会议，做会议记录和纪要翻译。",
    "翻译技术文件、产品说明书和往来函件，维护中英文专业术语库。",
    "参与政府科技项目和高新技术企业认定材料的申报准备，整理申报所需的佐证材料。",
]
LEARNING = [
    "掌握学术会议组织的完整流程，学会基本的数据整理与分析方法。",
    "了解科普工作的基本规律，提高面向公众讲解科学知识和撰写科普文案的能力。",
    "熟悉科技期刊的出版流程和编辑规范，掌握稿件处理和学术不端检测的基本方法。",
    "了解企业研发管理体系和科技项目申报的主要环节，学会撰写项目申报材料。",
    "熟悉国际科技交流的基本规则，提高专业英语翻译和跨文化沟通能力。",
    "在导师带领下完成一项独立的小课题，形成一份调研报告，帮助规划职业方向。",
    "结识行业内的科技工作者，了解岗位对专业能力的要求，积累真实的工作经验。",
]
MAJORS = [
    "不限",
    "汉语言文学",
    "新闻传播学",
    "英语",
    "翻译",
    "药学",
    "生物科学",
    "化学",
    "机械工程",
    "计算机科学与技术",
    "软件工程",
    "电子信息工程",
    "材料科学与工程",
    "环境工程",
    "工商管理",
    "公共管理",
    "科学教育",
    "编辑出版学",
]
STREETS = ["科学大道", "滨江路", "学府大道", "创新路", "金渝大道", "科技路", "人民路", "解放碑街"]
BASE_DAY = dt.date(2026, 9, 1)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.randint(1, 2)))


def _credit_code(rng: random.Random) -> str:
    authority = rng.choice(["12", "51", "52", "91", "92"])
    region = f"500{rng.randint(100, 243):03d}"
    first17 = authority + region + "".join(rng.choices(ALPHABET, k=9))
    return first17 + check_character(first17)


def _phone(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"023-6{rng.randint(0, 9999999):07d}"
    return f"1{rng.choice('38')}{rng.randint(0, 999999999):09d}"  # 13x, 18x: all allocated


def _contact(rng: random.Random, number: int) -> dict[str, str]:
    return {"name": _name(rng), "phone": _phone(rng), "email": f"jianxi{number}@example.com"}


def _address(rng: random.Random, district: str) -> str:
    return f"重庆市{district}{rng.choice(STREETS)} {rng.randint(1, 300)} 号"


def make_unit(rng: random.Random, number: int) -> dict[str, Any]:
    category = rng.choice(list(UNIT_CATEGORIES))
    district = rng.choice(list(DISTRICTS))
    place = district.removesuffix("区").removesuffix("县")[:2]
    name = rng.choice(UNIT_NAMES[category]).format(place=place, field=rng.choice(FIELDS))
    approved = rng.random() < 0.8
    approval: dict[str, Any] = {
        "status": "approved" if approved else "pending",
        "bureau": f"重庆市{district}人力资源和社会保障局",
    }
    if approved:
        approval["date"] = BASE_DAY - dt.timedelta(days=rng.randint(30, 400))
    unit: dict[str, Any] = {
        "name": f"{name}（基准{number}）",
        "credit_code": _credit_code(rng),
        "category": category,
        "district": district,
        "address": _address(rng, district),
    }
    if rng.random() < 0.7:
        unit["website"] = f"https://example.com/unit-{number}"
    unit.update(hr_approval=approval, contact=_contact(rng, number), sample=True)
    return unit


def make_position(rng: random.Random, unit: dict[str, Any], number: int) -> dict[str, Any]:
    kind = rng.choice(list(POSITION_TYPES))
    track = rng.choice(list(TRACKS))
    mentors = [{"name": _name(rng), "title": rng.choice(MENTOR_TITLES)} for _ in range(rng.randint(1, 3))]
    published = BASE_DAY + dt.timedelta(days=rng.randint(0, 90))
    deadline = published + dt.timedelta(days=rng.randint(20, 240))
    start = deadline + dt.timedelta(days=rng.randint(5, 40))
    # The period rule: at least 3 months, at most 12 (92 and 360 days are inside it for any start).
    end = start + dt.timedelta(days=rng.randint(92, 360))
    district = unit["district"] if rng.random() < 0.8 else rng.choice(list(DISTRICTS))
    suffix = "职业体验" if track == "职业体验" else ""
    position: dict[str, Any] = {
        "title": f"{rng.choice(FIELDS)}{rng.choice(ROLES[kind])}{suffix}",
        "type": kind,
        "track": track,
        "mentors": mentors,
        "headcount": rng.randint(1, 3 * len(mentors)),
        "duties": "".join(rng.sample(DUTIES, rng.randint(2, 3))) + "\n",
        "learning": "".join(rng.sample(LEARNING, rng.randint(1, 2))) + "\n",
        "majors": rng.sample(MAJORS, rng.randint(1, 4)),
        "education": rng.choice(list(EDUCATION_LEVELS)),
        "workplace": {"district": district, "address": _address(rng, district)},
        "allowance": rng.randrange(1800, 6001, 100),
        "start_date": start,
        "end_date": end,
        "deadline": deadline,
        "status": rng.choices(["open", "closed", "filled"], weights=[8, 1, 1])[0],
    }
    tags = rng.sample(list(TAGS), rng.randint(0, 3))
    if tags:
        position["tags"] = tags
    if rng.random() < 0.3:
        position["contact"] = _contact(rng, 100_000 + number)
    position.update(published=published, sample=True)
    return position


def synthetic(n: int, seed: int = 2026) -> Iterator[tuple[str, dict[str, Any], list[dict]]]:
    """Yield (unit slug, unit, positions) with n positions over about n/10 units."""
    rng = random.Random(seed)
    units = max(1, round(n / 10))
    # Uneven but deterministic unit sizes: cut [0, n) at units-1 distinct random points.
    cuts = sorted(rng.sample(range(1, n), units - 1)) if units > 1 else []
    sizes = [b - a for a, b in zip([0, *cuts], [*cuts, n], strict=True)]
    number = 0
    for index, size in enumerate(sizes):
        unit = make_unit(rng, index)
        positions = []
        for _ in range(size):
            positions.append(make_position(rng, unit, number))
            number += 1
        yield f"bench-unit-{index:04d}", unit, positions


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _nav_files(nav: Any) -> Iterator[str]:
    if isinstance(nav, str):
        yield nav
    elif isinstance(nav, list):
        for item in nav:
            yield from _nav_files(item)
    elif isinstance(nav, dict):
        for value in nav.values():
            yield from _nav_files(value)


def make_project(target: Path, n: int) -> int:
    """Write the jianxi project and the bare MkDocs configs (with and without search); return the
    number of units."""
    project = target / "project"
    project.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(ROOT / "content", project / "content")
    shutil.copytree(ROOT / "overrides", project / "overrides")
    base = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    for page in _nav_files(base.get("nav", [])):
        if page not in GENERATED_NAV and not (project / "content" / page).exists():
            print(f"note: nav page {page} missing from content/; stubbed in the temporary project")
            (project / "content" / page).parent.mkdir(parents=True, exist_ok=True)
            (project / "content" / page).write_text("# 待补充\n\n本页内容正在编写。\n", "utf-8")

    bare_docs = target / "bare" / "docs"
    shutil.copytree(ROOT / "content", bare_docs, ignore=shutil.ignore_patterns("*.md"))
    (bare_docs / "index.md").write_text("# 基准首页\n\n[第一页](p/00000.md)\n", "utf-8")
    (bare_docs / "p").mkdir()

    units = pages = 0
    for slug, unit, positions in synthetic(n):
        units += 1
        folder = project / "positions" / slug
        folder.mkdir(parents=True)
        (folder / "unit.yaml").write_text(_dump(unit), encoding="utf-8")
        for number, position in enumerate(positions):
            (folder / f"position-{number:03d}.yaml").write_text(_dump(position), "utf-8")
            bare_page = bare_docs / "p" / f"{pages:05d}.md"
            bare_page.write_text(_markdown_page(unit, position), encoding="utf-8")
            pages += 1
    _bare_config(target, base, search=True)
    _bare_config(target, base, search=False)
    return units


def _markdown_page(unit: dict[str, Any], p: dict[str, Any]) -> str:
    """A plain page carrying about the same Chinese text as one position file."""
    mentors = "、".join(f"{m['name']}（{m['title']}）" for m in p["mentors"])
    rows = [
        ("设岗单位", unit["name"]),
        ("岗位类型", f"{p['type']} · {p['track']}"),
        ("工作地点", f"{p['workplace']['district']} {p['workplace']['address']}"),
        ("招收人数", f"{p['headcount']} 人"),
        ("最低学历", p["education"]),
        ("专业要求", "、".join(p["majors"])),
        ("每月基本生活费", f"{p['allowance']} 元"),
        ("见习期", f"{p['start_date']} 至 {p['end_date']}"),
        ("报名截止", str(p["deadline"])),
        ("产业领域", "、".join(p.get("tags", [])) or "—"),
        ("见习导师", mentors),
    ]
    table = "\n".join(f"| {key} | {value} |" for key, value in rows)
    return (
        f"# {p['title']}\n\n| 项目 | 内容 |\n|---|---|\n{table}\n\n"
        f"## 岗位职责\n\n{p['duties']}\n## 见习收获\n\n{p['learning']}"
    )


def _bare_config(target: Path, base: dict[str, Any], search: bool) -> Path:
    keep = ("site_name", "site_url", "theme", "extra", "extra_css", "extra_javascript")
    config = {key: base[key] for key in keep if key in base}
    name = "search" if search else "plain"
    config.update(
        docs_dir=str(target / "bare" / "docs"),
        site_dir=str(target / "bare" / f"site-{name}"),
        nav=[{"首页": "index.md"}],
        not_in_nav="/p/\n",
        # With search: Material as it ships, the anchor the issues measured against, whatever search
        # the catalogue itself uses (Pagefind since issue 11, built outside MkDocs). Without: MkDocs
        # and Material rendering the pages and nothing else, the floor.
        plugins=["search"] if search else [],
        markdown_extensions=base.get("markdown_extensions", []),
    )
    config["theme"] = {**base["theme"], "custom_dir": str(target / "project" / "overrides")}
    path = target / "bare" / f"mkdocs-{name}.yml"
    path.write_text(_dump(config), encoding="utf-8")
    return path


def bare_config(target: Path, search: bool = True) -> Path:
    """The bare site's MkDocs configuration written by make_project."""
    return target / "bare" / f"mkdocs-{'search' if search else 'plain'}.yml"


# --- Measurement ---------------------------------------------------------------------------------

# Runs the jianxi command line and says on stderr, at exit, the peak RSS of its own process: the
# peak of the process tree (wait4) is Pagefind's indexer, a separate process, when it is larger.
OWN_PEAK = "peak RSS of jianxi itself, KiB: "
WRAPPER = (
    "import atexit, resource, sys\n"
    "atexit.register(lambda: print(f'" + OWN_PEAK + "{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}',"
    " file=sys.stderr))\n"
    "from site_builder.cli import main\n"
    "sys.argv[0] = 'jianxi'\n"
    "main()\n"
)


@dataclass(frozen=True)
class Run:
    seconds: float  # wall clock
    cpu: float  # user + system seconds of the child and its children (Pagefind, QR encoders, ...)
    peak_mb: float  # the largest single process of the tree
    returncode: int
    output: str
    load: float = 0.0  # the 1-minute load average when the run ended

    @property
    def own_mb(self) -> float | None:
        """The peak of jianxi's own process, when it ran through WRAPPER."""
        found = [line for line in self.output.splitlines() if line.startswith(OWN_PEAK)]
        return int(found[-1].removeprefix(OWN_PEAK)) / 1024 if found else None


def measure(command: list[str], env: dict[str, str] | None = None) -> Run:
    """Run a command as a child process; return its wall time, CPU time and peak RSS (os.wait4)."""
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read().decode("utf-8", errors="replace")
    # ru_maxrss is in KiB on Linux and in bytes on macOS.
    peak = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, cpu, peak, child.returncode, output, os.getloadavg()[0])


def _tail(run: Run, lines: int = 15) -> str:
    text = run.output.replace("\r", "\n")
    kept = [line for line in text.splitlines() if line.strip() and "%|" not in line]
    return "\n".join("    " + line for line in kept[-lines:])


@dataclass(frozen=True)
class Command:
    """One measured command: what to remove before each run (its output; a cold build's cache
    too), and the source tree to import jianxi from (None: this checkout)."""

    name: str
    argv: list[str]
    fresh: tuple[Path, ...]
    tree: Path | None = None

    def run(self) -> Run:
        for path in self.fresh:
            shutil.rmtree(path, ignore_errors=True)
        env = None
        if self.tree is not None:
            env = {**os.environ, "PYTHONPATH": str(self.tree)}
        return measure(self.argv, env)


def commands(target: Path, baseline: Path | None) -> list[Command]:
    """The commands of one round, in the order they run: each jianxi build is followed by an anchor."""
    project, python = target / "project", str(BIN / "python")

    def jianxi(*args: str) -> list[str]:
        return [python, "-c", WRAPPER, "--root", str(project), *args]

    out, cache, bare = project / "site", target / "cache", target / "bare"
    mkdocs = str(BIN / "mkdocs")
    found = [
        Command("validate", jianxi("validate"), ()),
        Command("jianxi cold", jianxi("build", "--out", str(out), "--cache", str(cache)), (out, cache)),
        Command(
            "bare + search", [mkdocs, "build", "-q", "-f", str(bare_config(target))], (bare / "site-search",)
        ),
        # The cache the cold build just left: a rebuild of the same catalogue, as the worker's next
        # full build after a few changes finds it.
        Command("jianxi warm", jianxi("build", "--out", str(out), "--cache", str(cache)), (out,)),
        Command(
            "bare, no search",
            [mkdocs, "build", "-q", "-f", str(bare_config(target, False))],
            (bare / "site-plain",),
        ),
    ]
    if baseline is not None:
        before = target / "site-before"
        found.append(Command("before", jianxi("build", "--out", str(before)), (before,), baseline))
    bundle = target / "pagefind-alone"
    pagefind = [str(get_executable()), "--site", str(search_documents(target)), "--output-path", str(bundle)]
    found.append(Command("pagefind alone", [*pagefind, "--silent"], (bundle,)))
    return found


# Writes the search records of a project as a build hands them to Pagefind, in a child process: the
# catalogue loaded here would stay in this process's memory, and the RSS of every command forked
# from it afterwards would count it.
DOCUMENTS = """
import sys
from pathlib import Path
from site_builder.clock import today_in_chongqing
from site_builder.model.catalogue import load_catalogue
from site_builder.pages import PageRenderer, Site
from site_builder.search import document, records
project, folder = Path(sys.argv[1]), Path(sys.argv[2])
renderer = PageRenderer(load_catalogue(project), Site("http://127.0.0.1:8000/", "", today_in_chongqing()))
for record in records(renderer):
    page = folder / record.url / "index.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(document(record), encoding="utf-8")
"""


def search_documents(target: Path) -> Path:
    """The project's search records as the documents a build hands Pagefind: Pagefind indexing
    them alone is the floor of the build's search step and its peak memory."""
    folder = target / "search-documents"
    if not folder.is_dir():
        subprocess.run(
            [str(BIN / "python"), "-c", DOCUMENTS, str(target / "project"), str(folder)], check=True
        )
    return folder


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def measure_size(n: int, rounds: int, baseline: Path | None, keep: bool) -> None:
    """Generate a project of n positions and measure every command, interleaved, rounds times."""
    target = Path(tempfile.mkdtemp(prefix=f"jianxi-bench-{n}-"))
    try:
        started = time.perf_counter()
        units = make_project(target, n)
        print(
            f"\n== N = {n}: {n} positions in {units} units, {n} bare pages (generated in "
            f"{time.perf_counter() - started:.1f} s under {target})",
            flush=True,
        )
        found = commands(target, baseline)
        results: dict[str, list[Run]] = {command.name: [] for command in found}
        for attempt in range(1, rounds + 1):
            for command in found:
                run = command.run()
                results[command.name].append(run)
                own = f" (own {run.own_mb:.0f})" if run.own_mb else ""
                print(
                    f"[{attempt}/{rounds}] {command.name:<16}{run.seconds:7.2f} s wall {run.cpu:7.2f} s cpu "
                    f"{run.peak_mb:6.0f} MB{own}  load {run.load:4.1f}  exit {run.returncode}",
                    flush=True,
                )
                if run.returncode != 0:
                    print(f"{command.name} FAILED (exit {run.returncode}); last lines:\n{_tail(run)}")
        report(n, results)
    finally:
        if keep:
            print(f"kept {target}")
        else:
            shutil.rmtree(target, ignore_errors=True)


ANCHOR, FLOOR = "bare + search", "bare, no search"


def report(n: int, results: dict[str, list[Run]]) -> None:
    """Medians of the runs, and of each round's ratio to the anchors measured in the same round."""
    rounds = len(results[ANCHOR])
    loads = [run.load for runs in results.values() for run in runs]
    print(
        f"\nN = {n}, {rounds} round(s), load average {min(loads):.1f}-{max(loads):.1f}"
        f" on {os.cpu_count()} CPUs"
    )
    print(
        f"{'command':<17}{'wall s':>8}{'cpu s':>8}{'peak MB':>9}{'own MB':>8}"
        f"{'cpu/anchor':>12}{'wall/anchor':>12}{'cpu/floor':>11}"
    )
    for name, runs in results.items():
        ok = [run for run in runs if run.returncode == 0]
        if not ok:
            print(f"{name:<17} failed")
            continue
        own = [run.own_mb for run in ok if run.own_mb]
        row = f"{name:<17}{median([r.seconds for r in ok]):8.2f}{median([r.cpu for r in ok]):8.2f}"
        row += f"{max(r.peak_mb for r in ok):9.0f}" + (f"{max(own):8.0f}" if own else f"{'':8}")
        if name not in ("validate", ANCHOR, FLOOR, "pagefind alone"):
            row += _ratio(runs, results[ANCHOR], "cpu") + _ratio(runs, results[ANCHOR], "seconds")
            row += _ratio(runs, results[FLOOR], "cpu")
        print(row)
    print(
        f"targets: validate <= {VALIDATE_SECONDS:g} s; a build <= {CPU_RATIO:g}x the anchor's CPU and "
        f"<= {WALL_RATIO:g}x its wall time, peak <= {PEAK_MB:g} MB (anchor: {ANCHOR}; floor: {FLOOR})"
    )


def _ratio(runs: list[Run], anchors: list[Run], field: str) -> str:
    """The median over rounds of run / anchor of the same round, with the range."""
    ratios = [
        getattr(run, field) / getattr(anchor, field)
        for run, anchor in zip(runs, anchors, strict=True)
        if run.returncode == 0 and anchor.returncode == 0
    ]
    if not ratios:
        return f"{'-':>12}"
    spread = f" ({min(ratios):.2f}-{max(ratios):.2f})" if len(ratios) > 1 else ""
    return f"{median(ratios):>6.2f}{spread}".rjust(12)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="*", type=int, default=[5000, 10000], help="numbers of positions")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; medians are shown")
    parser.add_argument(
        "--baseline", type=Path, help="a source tree (e.g. main's, from git archive) to build as 'before'"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    args = parser.parse_args()
    for n in args.n:
        measure_size(n, args.rounds, args.baseline, args.keep)


if __name__ == "__main__":
    main()
