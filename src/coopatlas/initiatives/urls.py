"""Initiative pages (the standard record pages)."""

from coopatlas.core.urlkit import record_urlpatterns

app_name = "initiatives"
urlpatterns = [*record_urlpatterns("initiative", "")]
