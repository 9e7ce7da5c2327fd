"""The security tests share the world of the permission matrix."""
from tests.security.test_route_matrix import world  # noqa: F401
