"""The ground floor: what an entity is and how it travels.

The entity schemas and field types, canonical JSON and its checksum, the wire messages of the sync protocol
and the beat machine's instrument catalog. ``local_db``, ``sync`` and ``server`` all build on it; it imports
none of them.
"""
