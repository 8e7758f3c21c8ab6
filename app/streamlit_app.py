"""Hybrid Dashboard: one page per markdown file in app/reports/, over the files of processed_data/.

Run with `streamlit run app/streamlit_app.py`. $HYBRID_DATA_DIR selects another data folder.
"""

from pathlib import Path

import streamlit as st

from dashboard_data import FIX_HINT, data_directory, processed_data_source
from reportpages.streamlit_render import navigation_pages

REPORTS_DIR = Path(__file__).resolve().parent / "reports"

st.set_page_config(page_title="Hybrid Dashboard", layout="wide")
st.navigation(navigation_pages(REPORTS_DIR, processed_data_source(data_directory()), FIX_HINT)).run()
