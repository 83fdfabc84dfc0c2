"""The guide's product_info index and its six documents (ik_smart replaced by standard)."""

from pathlib import Path

import yaml

# The demo playbook loads the same data: playbooks/vars/product_info.yml is the one copy.
_DATA = yaml.safe_load((Path(__file__).resolve().parents[1] / "playbooks" / "vars" / "product_info.yml").read_text())

PRODUCT_INDEX = _DATA["demo_index"]
PRODUCT_SETTINGS = _DATA["demo_index_settings"]
PRODUCT_MAPPINGS = _DATA["demo_index_mappings"]
# The guide's own mapping, with the ik_smart analyzer these nodes do not have.
GUIDE_MAPPINGS = {
    "properties": {
        "productName": {"type": "text", "analyzer": "ik_smart"},
        "annual_rate": {"type": "keyword"},
        "describe": {"type": "text", "analyzer": "ik_smart"},
    }
}
PRODUCT_DOCS = [document["source"] for document in _DATA["demo_documents"]]
PRODUCT_IDS = [document["id"] for document in _DATA["demo_documents"]]


def load_product_info(client, index=PRODUCT_INDEX):
    """(Re)create the guide's index on a cluster and bulk-load the six documents."""
    client.options(ignore_status=404).indices.delete(index=index)
    client.indices.create(index=index, settings=PRODUCT_SETTINGS, mappings=PRODUCT_MAPPINGS)
    operations = []
    for doc_id, doc in zip(PRODUCT_IDS, PRODUCT_DOCS):
        operations.append({"index": {"_index": index, "_id": doc_id}})
        operations.append(doc)
    response = client.bulk(operations=operations, refresh=True)
    assert not response["errors"], response
