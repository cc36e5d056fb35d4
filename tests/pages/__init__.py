"""Tests of the dashboard's pages under AppTest and of the Streamlit glue in widgets/ (the
Streamlit-free logic of dashboard/ is tested in tests/dashboard)."""
