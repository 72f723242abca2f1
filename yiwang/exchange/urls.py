from django.urls import path

from yiwang.exchange import views

app_name = "exchange"
urlpatterns = [
    path("", views.index, name="index"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/<str:code>/", views.resource_detail, name="resource"),
    path("catalogue/<str:code>/request/", views.request_new, name="request_new"),
    path("catalogue/<str:code>/dispute/", views.dispute_new, name="dispute_new"),
    path("requests/", views.requests_list, name="requests"),
    path("requests/<str:number>/", views.request_detail, name="request"),
    path("demands/", views.demands, name="demands"),
    path("demands/<str:number>/", views.demand_detail, name="demand"),
    path("disputes/", views.disputes, name="disputes"),
    path("disputes/<str:number>/", views.dispute_detail, name="dispute"),
    path("nodes/", views.nodes, name="nodes"),
    path("messages/", views.message_log, name="messages"),
    path("messages/<int:pk>/", views.message_detail, name="message"),
    path("alarms/", views.alarms, name="alarms"),
    path("quality/", views.quality, name="quality"),
    path("my-data/", views.my_data, name="my_data"),
    path("open/", views.open_index, name="open_index"),
    path("open/catalog.jsonld", views.open_catalog_dcat, name="open_catalog_dcat"),
    path("open/<slug:slug>/", views.open_dataset, name="open_dataset"),
    path("open/<slug:slug>/dcat.jsonld", views.open_dcat, name="open_dcat"),
    path("open/<slug:slug>/download.<str:fmt>", views.open_download, name="open_download"),
]
