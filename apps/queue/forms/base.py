"""What the forms of the queue and the lead page share: date and time inputs, and
accessible error marking."""

from django import forms

DATETIME_LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


def blank_choice(label: str) -> list[tuple[str, str]]:
    return [("", label)]


class AccessibleForm(forms.Form):
    """Marks invalid controls for screen readers and ties each to its error message.

    `rows` lays the fields out (names side by side in one tuple share a row); the lead
    page renders a form through templates/queue/_quick_fields.html in that order.
    """

    rows: tuple[tuple[str, ...], ...] = ()

    def layout(self) -> list[list[forms.BoundField]]:
        return [[self[name] for name in row] for row in self.rows]

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self._errors or {}:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}-error"
