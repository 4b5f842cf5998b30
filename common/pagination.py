from rest_framework.pagination import PageNumberPagination


class PageSizePagination(PageNumberPagination):
    """``{"count", "next", "previous", "results"}`` with ``?page_size=`` up to 1000."""

    page_size_query_param = "page_size"
    max_page_size = 1000


def paginated_schema(serializer_class, name: str):
    """The documented shape of a paginated answer, for views that paginate by hand."""
    from drf_spectacular.utils import inline_serializer
    from rest_framework import serializers

    return inline_serializer(
        name,
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )
