"""The server: the Streamlit app (``app.py``) plus the route the live views fetch their
frames from (``pages/livestream.py``). ``python app.py`` and ``make run`` start this."""

import streamlit as st

from pages import livestream, server_process

server_process.serialise_ast_parse()
app = st.App("app.py", routes=livestream.routes())
