"""The server: the Streamlit app (``app.py``) plus the route the live views fetch their
frames from (``widgets/livestream.py``). ``python app.py`` and ``make run`` start this."""

import streamlit as st

from dashboard import server_process
from widgets import livestream

server_process.serialise_ast_parse()
app = st.App("app.py", routes=livestream.routes())
