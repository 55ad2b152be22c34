"""The WSGI application granian serves; the desk folder comes from ``NIANBAO_DESK_DIR``."""

from toolkit.desk.settings import setup

setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402

from toolkit.desk import checking  # noqa: E402

application = get_wsgi_application()
checking.start()  # warm validation workers start with the server, not with the first upload
