"""The dashboard's Streamlit-free logic: view parameters (``state``), figures, live runs,
exit studies, lesson steps, slide styling. Never imports Streamlit (tested); the pages
(``pages/``) and the glue (``widgets/``) call it."""
