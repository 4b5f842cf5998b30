"""The ceiling: the least a Django view can do per report, one INSERT of the JSON body.

Served by the same gunicorn, on the same database and machine as the real ingest, so the
ingest figure can be read as a share of what this stack can do at all.
"""

import json

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

CREATE_TABLE = (
    "CREATE TABLE IF NOT EXISTS bench_ceiling "
    "(id bigserial PRIMARY KEY, body jsonb NOT NULL, created_at timestamptz DEFAULT now())"
)


@csrf_exempt
def ceiling(request):
    body = json.loads(request.body)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_ceiling (body) VALUES (%s) RETURNING id", [json.dumps(body)]
        )
        (pk,) = cursor.fetchone()
    return JsonResponse({"id": pk}, status=201)
