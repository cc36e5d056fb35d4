"""Helper modules shared by the tests (and bench/): slow reference implementations, stand-in
landscapes, AppTest and browser helpers, the server/chromium harness, the isolated worker.
Nothing here is collected."""
