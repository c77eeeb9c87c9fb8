from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "intake_server.console"
    label = "console"
    verbose_name = "Support console"

    def ready(self) -> None:
        """Log sign-ins (console.sign_in). axes is installed before us, so its receivers
        have counted a failure when ours run."""
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from intake_server.console import marks, sign_in

        user_login_failed.connect(sign_in.log_failure, dispatch_uid="console.sign_in.failure")
        user_locked_out.connect(sign_in.log_locked, dispatch_uid="console.sign_in.locked")
        user_logged_in.connect(sign_in.log_success, dispatch_uid="console.sign_in.success")
        user_logged_in.connect(marks.save_kept_note, dispatch_uid="console.marks.kept_note")
