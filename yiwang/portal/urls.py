from django.urls import path

from yiwang.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.me, name="me"),
    path("workbench/", views.workbench, name="workbench"),
    path("workbench/departments/", views.departments, name="departments"),
    path("workbench/departments/<int:pk>/", views.department_detail, name="department_detail"),
    path("workbench/staff/", views.staff_list, name="staff_list"),
    path("workbench/staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("workbench/persons/", views.persons, name="persons"),
    path("workbench/persons/<int:pk>/", views.person_detail, name="person_detail"),
    path("preferences/elder/", views.toggle_elder_mode, name="elder_mode"),
]
