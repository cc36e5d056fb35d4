"""Tests of the dashboard's pages: Streamlit-free helpers and every page under AppTest."""
