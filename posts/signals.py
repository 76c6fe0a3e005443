from django.dispatch import Signal

# Sent by posts.services.post_saved() once a post and its tags, categories and
# updates are saved (from the admin, the demo loader or an importer), so other
# apps can react (mail subscribers when it is published, drop cached pages...)
# without posts knowing about them. Arguments: sender=Post, post.
post_saved = Signal()
