from django.urls import path

from yiwang.cases import bundle_views, crossarea_views, views

app_name = "cases"
urlpatterns = [
    path("workbench/", views.workbench, name="workbench"),
    path("mine/", views.mine, name="mine"),
    path("hall/", crossarea_views.hall, name="hall"),
    path("hall/<int:version_id>/", crossarea_views.hall_register, name="hall_register"),
    path("apply/<int:version_id>/", views.apply, name="apply"),
    path("bundles/", bundle_views.mine, name="bundle_mine"),
    path("bundles/apply/<slug:code>/", bundle_views.apply, name="bundle_apply"),
    path("bundles/<int:pk>/", bundle_views.detail, name="bundle_detail"),
    path("bundles/<int:pk>/notice/", bundle_views.notice, name="bundle_notice"),
    path("bundles/<int:pk>/notice.pdf", bundle_views.notice_pdf, name="bundle_notice_pdf"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/<str:name>/", views.act, name="act"),
    path("<int:pk>/materials/<int:row>/check/", views.check_material, name="check_material"),
    path("<int:pk>/materials/<int:row>/file/", views.material_file, name="material_file"),
    path("<int:pk>/upload/<int:material_id>/", views.upload, name="upload"),
    path("<int:pk>/notices/<str:kind>.pdf", views.notice, name="notice"),
]
