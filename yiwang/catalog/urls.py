from django.urls import path

from yiwang.catalog import bundle_views, views

app_name = "catalog"
urlpatterns = [
    # Public: search, browse, service guides.
    path("services/", views.search_page, name="search"),
    path("services/themes/", views.themes_page, name="themes"),
    path("services/departments/", views.departments_page, name="departments"),
    path("services/item/<str:task_code>/", views.guide, name="guide"),
    path("services/version/<int:pk>/", views.guide_version, name="guide_version"),
    path("services/bundles/", bundle_views.bundle_list, name="bundles"),
    path("services/bundles/<slug:code>/", bundle_views.bundle_guide, name="bundle"),
    # Console: catalogue administrators.
    path("catalog/console/", views.console, name="console"),
    path("catalog/console/new/", views.task_new, name="task_new"),
    path("catalog/console/task/<int:pk>/", views.task_detail, name="task"),
    path("catalog/console/task/<int:pk>/new-draft/", views.task_new_draft, name="task_new_draft"),
    path("catalog/console/version/<int:pk>/", views.version_detail, name="version"),
    path("catalog/console/version/<int:pk>/edit/", views.version_edit, name="version_edit"),
    path(
        "catalog/console/version/<int:pk>/<slug:action>/",
        views.version_action,
        name="version_action",
    ),
    path("catalog/console/diff/", views.diff_page, name="diff"),
    path("catalog/console/import/", views.import_page, name="import"),
    path("catalog/console/export.xlsx", views.export, name="export"),
    path("catalog/console/synonyms/", views.synonyms_page, name="synonyms"),
    path("catalog/console/synonyms/<int:pk>/delete/", views.synonym_delete, name="synonym_delete"),
    path("catalog/console/baselines/", views.baselines_page, name="baselines"),
    path("catalog/console/bundles/", bundle_views.console_bundles, name="console_bundles"),
    path(
        "catalog/console/bundles/new/",
        bundle_views.console_bundle_new,
        name="console_bundle_new",
    ),
    path(
        "catalog/console/bundles/<slug:code>/edit/",
        bundle_views.console_bundle_edit,
        name="console_bundle_edit",
    ),
    path(
        "catalog/console/bundles/<slug:code>/preview/",
        bundle_views.console_bundle_preview,
        name="console_bundle_preview",
    ),
    path(
        "catalog/console/bundles/<slug:code>/<slug:action>/",
        bundle_views.console_bundle_action,
        name="console_bundle_action",
    ),
    path("catalog/metrics/", views.metrics_page, name="metrics"),
]
