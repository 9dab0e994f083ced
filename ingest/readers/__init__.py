"""One module per format, all behind one contract (chosen by :mod:`ingest.registry`)::

    NAME: str                                     # "xlsx", "csv", "docx", "pdf", "vsaq"
    def score(head: bytes, filename: str) -> int  # 0 = cannot read; decided by content first
    def read(path: Path, *, limits: Limits) -> Questionnaire

Helpers shared by the spreadsheet readers: ``_table`` (find header, question, number and answer
columns in a grid), ``_items`` (rows -> question items), ``_xlsx_xml`` (what openpyxl drops).
"""
