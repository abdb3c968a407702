"""The office's views across domains: the dashboard, exports and failed emails.

It sits above the domain packages (it reads applications, submissions and the outbox together);
no domain imports it.
"""
