"""Problems readers report about a published position (岗位问题反馈): the public form each catalogue
page links, the office's queue, forwarding to the unit and closing. Not the statistics of
form_worker.reports."""
