"""Stage 0: published reports in — the annual reports organs publish (HTML pages, Word, PDF, text) read by the
spec's labels into the cells of the format, and written as imported workbooks (`tianbao import`).

    reading = read_report("诺敏镇2022年报告.html")   # tianbao.importing.report: values, printed totals, issues
    write_imported(reading, "导入/诺敏镇.xlsx")        # tianbao.importing.workbook

Extraction (html, word, pdf, text → document), the label index (labels, normalize), rows and tables (rows,
assemble, resolve), the report's year and unit (identity), the imported workbook and its 原报告 sheet
(workbook, sheet), a report as last year's data (previous), the command's run (run).
"""
