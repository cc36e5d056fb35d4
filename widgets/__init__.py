"""The dashboard's Streamlit glue, shared by the page scripts in ``pages/``: cached
analyses, bound widgets, the live views' components and frame route, exports, and the one
owner of the session's keys (``widgets.session``)."""
