from django.dispatch import Signal

# Sent by posts.services.post_saved() once a post and its tags, categories and
# updates are saved (from the admin, the demo loader or an importer), so other
# apps can react (mail subscribers when it is published, drop cached pages...)
# without posts knowing about them. Arguments: sender=Post, post, imported
# (True when an importer brought the post in: old news, not new).
post_saved = Signal()

# Sent by the home view when "/" is asked for with a query string, as old
# WordPress links do (/?p=123, /?page_id=7, /?cat=3). Arguments: sender, query
# (request.GET). A receiver returns the address to redirect to permanently, or
# None. The importers app answers it.
legacy_query = Signal()
