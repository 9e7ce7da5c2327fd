"""Meeting documents: the agenda pack (PDF), the minutes (Word and PDF), the highlight report.

Each document is drawn from plain data (`riskapp.meetings.document_data` builds it from the
record), so the layout is tested apart from the queries, and each builder is a plain function
of its data that could run in a worker process.
"""
