from django.urls import path

from intake_server.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("add", views.customer_add, name="add"),
    path("<int:pk>/edit", views.customer_edit, name="edit"),
    path("import", views.customer_import, name="import"),
]
