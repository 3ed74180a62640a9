"""`tianbao serve`: a local web app for the season — 年度与名单, 模板, 收件, 报送情况, 汇总 — and a JSON API, each
a thin layer over the library calls the command line makes. See tianbao.web.app."""
