"""The person's phone number field: django-phonenumber-field's, made cheap for numbers
the intake API has already checked."""

from phonenumber_field.modelfields import PhoneNumberDescriptor, PhoneNumberField
from phonenumber_field.phonenumber import to_python


class E164(str):
    """A phone number already parsed, validated and formatted as E.164 (the intake API's
    serializer makes these). A plain string in every other way."""

    __slots__ = ()


class _PhoneNumberDescriptor(PhoneNumberDescriptor):
    """Keeps an E164 as it is and parses it when the number is first read: an intake
    saves a new person without ever reading the number back."""

    def __set__(self, instance, value):
        if type(value) is E164:
            instance.__dict__[self.field.name] = value
        else:
            super().__set__(instance, value)

    def __get__(self, instance, owner):
        value = super().__get__(instance, owner)
        if type(value) is E164:
            value = instance.__dict__[self.field.name] = to_python(str(value), self.field.region)
        return value


class E164PhoneNumberField(PhoneNumberField):
    """A PhoneNumberField that stores an E164 as given.

    The library parses a number when it is assigned, then validates and formats it
    again (three times over) when it is saved: a tenth of a millisecond per person,
    for a number the intake had just checked. Anything but an E164 takes the library's
    way, so forms, the admin and lookups behave exactly as before.
    """

    descriptor_class = _PhoneNumberDescriptor

    def pre_save(self, model_instance, add):
        value = model_instance.__dict__.get(self.attname)
        if type(value) is E164:  # not read since it was set: no need to parse it
            return value
        return super().pre_save(model_instance, add)

    def get_prep_value(self, value):
        if type(value) is E164:
            return str(value)
        return super().get_prep_value(value)
