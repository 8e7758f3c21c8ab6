"""Evidence-style markdown report pages (prose, named SQL, chart and input components) for Streamlit.

Modules other than ``streamlit_render`` do not import Streamlit: ``parser`` reads pages,
``components`` checks tags, ``sql`` compiles queries, ``database`` loads files and runs queries
on a locked DuckDB, ``page_run`` evaluates a page, ``charts`` builds Altair charts and
``formatting`` formats values.
"""
