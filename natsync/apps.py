from django.apps import AppConfig


class NatsyncConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "natsync"
    verbose_name = "Đồng bộ Cổng Dịch vụ công quốc gia"
