"""The login page: Django's, except that a refused login is a 400 (bad input is a 4xx)."""

from django.contrib.auth import views as auth_views


class LoginView(auth_views.LoginView):
    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)
