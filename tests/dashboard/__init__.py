"""Tests of dashboard/: the Streamlit-free logic of the dashboard (URL state, figures, live runs, studies)."""
