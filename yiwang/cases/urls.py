from django.urls import path

from yiwang.cases import crossarea_views, views

app_name = "cases"
urlpatterns = [
    path("workbench/", views.workbench, name="workbench"),
    path("mine/", views.mine, name="mine"),
    path("hall/", crossarea_views.hall, name="hall"),
    path("hall/<int:version_id>/", crossarea_views.hall_register, name="hall_register"),
    path("apply/<int:version_id>/", views.apply, name="apply"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/<str:name>/", views.act, name="act"),
    path("<int:pk>/materials/<int:row>/check/", views.check_material, name="check_material"),
    path("<int:pk>/materials/<int:row>/file/", views.material_file, name="material_file"),
    path("<int:pk>/upload/<int:material_id>/", views.upload, name="upload"),
    path("<int:pk>/notices/<str:kind>.pdf", views.notice, name="notice"),
]
