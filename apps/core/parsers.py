"""A JSON parser for the API that refuses deeply nested bodies with a 400."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# No body LeadCRM takes nests beyond a handful of levels (intake: person inside the
# inquiry, answers inside it); the limit leaves room and stops pathological input.
JSON_MAX_DEPTH = 32


class DepthLimitedJSONParser(JSONParser):
    """DRF's JSONParser, answering 400 to a body nested deeper than JSON_MAX_DEPTH.

    The standard library's decoder raises RecursionError near the interpreter's
    recursion limit (about 1,000 levels), which DRF does not catch: a 500. Bodies a
    little shallower than that still parse and would make every later recursive walk
    (validation, fingerprinting, rendering errors) costly or fail, so depth is checked
    after parsing as well.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_too_deep_message()) from None
        if json_depth_exceeds(data, JSON_MAX_DEPTH):
            raise ParseError(_too_deep_message())
        return data


def _too_deep_message() -> str:
    return f"JSON parse error - the body nests more than {JSON_MAX_DEPTH} levels deep."


def json_depth_exceeds(data, limit: int) -> bool:
    """Whether parsed JSON nests objects or arrays more than `limit` levels deep.

    Iterative (a deep body must not recurse here either), and stops at the first node
    past the limit.
    """
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False
