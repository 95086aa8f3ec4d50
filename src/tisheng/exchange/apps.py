from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "tisheng.exchange"
    label = "exchange"
    verbose_name = "数据导入导出"
