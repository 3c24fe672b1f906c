from kruzhok.accounts.scoping import scope_queryset
from kruzhok.people.models import Child


def test_org_admin_sees_only_own_pupils(world):
    visible = set(scope_queryset(world.org_admin, Child.objects.all()))
    assert visible == {world.child, world.sibling}
