from django.urls import path

from yiwang.appointments import views

app_name = "appointments"
urlpatterns = [
    path("", views.my_bookings, name="mine"),
    path("book/", views.book, name="book"),
    path("bookings/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("bookings/<int:pk>/reschedule/", views.reschedule, name="reschedule"),
    path("halls/<int:hall_id>/ticket/", views.take_ticket, name="take_ticket"),
    path("halls/<int:hall_id>/board/", views.board, name="board"),
    path("tickets/<int:pk>/", views.ticket, name="ticket"),
    path("desk/", views.desk, name="desk"),
]
