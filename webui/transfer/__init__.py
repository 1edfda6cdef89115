"""Moving an installation: ``flask --app app export FILE`` and ``flask --app app import FILE``.

- bundle.py    the file: a JSON snapshot encrypted under a passphrase (scrypt + AES-GCM)
- snapshot.py  what is exported: custom roles, users (password hashes), applications, profiles
- hdp.py       HDP's own API answers ({"applications": [...]}, {"profiles": [...]}) as a snapshot
- restore.py   a snapshot planned against this database (create / update / skip / conflicts),
               then written in one transaction
- commands.py  the click commands, registered by webui/cli.py
"""
