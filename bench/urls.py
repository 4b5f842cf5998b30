from django.urls import path

from config.urls import urlpatterns as app_urlpatterns

from .ceiling import ceiling

urlpatterns = [path("bench/ceiling/", ceiling), *app_urlpatterns]
