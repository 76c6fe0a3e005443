"""Demo content for posts: the seed post (Low Dose Naltrexone), its author,
categories, tags, dated updates, recommended book and the standing pages.

Idempotent: everything is matched by a natural key and updated in place.
"""

import textwrap
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont

from posts import services
from posts.models import AuthorProfile, Book, Category, Page, Post, PostUpdate

CONTENT = Path(__file__).resolve().parent / "demo_content"

AUTHOR_USERNAME = "nsajben"
AUTHOR_PASSWORD = "ldn-demo-author"  # demo only: printed by `make run`

SEED_SLUG = "low-dose-naltrexone-ldn-and-dextromethorphan-off-label-for-pain"
SEED_TITLE = (
    "Low Dose Naltrexone “LDN” and Dextromethorphan off label for Pain, RSD, "
    "Chronic Fatigue, Fibromyalgia, MS, Crohn’s Disease"
)
SEED_EXCERPT = (
    "Low dose naltrexone (LDN) and dextromethorphan act on the microglia as central "
    "anti-inflammatories. What the research shows for pain, CRPS/RSD, fibromyalgia, "
    "MS and Crohn’s disease, and my experience prescribing them off label."
)

# (slug, name, parent slug, description)
CATEGORIES = [
    ("pain", "Pain", None, "Chronic and intractable pain and its treatment."),
    (
        "crps-rsd",
        "CRPS/RSD",
        "pain",
        "Complex regional pain syndrome, formerly reflex sympathetic dystrophy.",
    ),
    ("fibromyalgia", "Fibromyalgia", "pain", "Widespread pain with fatigue and poor sleep."),
    ("chronic-fatigue", "Chronic fatigue", None, "Chronic fatigue syndrome (ME/CFS)."),
    ("multiple-sclerosis", "MS", None, "Multiple sclerosis."),
    ("crohns-disease", "Crohn’s disease", None, "Crohn’s disease and inflammatory bowel disease."),
]
SEED_CATEGORIES = [slug for slug, *_ in CATEGORIES]
SEED_TAGS = [
    "low dose naltrexone",
    "dextromethorphan",
    "naltrexone",
    "microglia",
    "glia",
    "morphinans",
    "off-label",
    "opioids",
]

UPDATES = [
    (
        date(2010, 6, 22),
        "<p>Check back for patient case reports I will be publishing soon now that I have "
        "more specific information on how morphinans work on pain pathways and on the "
        "central nervous system.</p>",
    ),
    (
        date(2010, 12, 10),
        '<p>For further research publications on glia, please refer <a href="/tag/glia/">'
        "here</a>.</p><p>Refer "
        '<a href="/category/crps-rsd/">here</a> for a case report of severe RSD responding '
        "primarily to naltrexone.</p>",
    ),
]

PAGES = [
    # slug, title, body, show_in_menu, menu_order, is_home_intro
    (
        "welcome",
        "Welcome to my Weblog on Pain Management!",
        "<p>I am a pain physician. Here I write about treatments that have helped my "
        "patients with intractable pain, complex regional pain syndrome (RSD), "
        "fibromyalgia, multiple sclerosis and Crohn’s disease, especially low dose "
        "naltrexone and dextromethorphan, with the research behind them.</p>"
        "<p>Each post lists the papers it relies on, so that you and your own doctor "
        "can read them. Nothing here replaces the advice of a clinician who knows you.</p>",
        False,
        0,
        True,
    ),
    (
        "about",
        "About",
        "<p>Nancy Sajben MD is a physician specialising in pain medicine in California. "
        "She has prescribed ultra-low and low dose naltrexone since 2003.</p>",
        True,
        1,
        False,
    ),
    (
        "disclaimer",
        "Medical disclaimer",
        "<p>The material on this site is for informational purposes only. It is not a "
        "substitute for medical advice, diagnosis or treatment provided by a qualified "
        "health care provider.</p><p>Comments are public. Answers to comments are general "
        "information and do not create a doctor–patient relationship.</p>",
        True,
        2,
        False,
    ),
    (
        "privacy",
        "Privacy",
        "<p>This site stores only what it needs to work: the name, email address and "
        "text of comments you post, and the address you subscribe with. Email addresses "
        "are never shown or shared.</p>"
        "<h2>Email subscriptions</h2><p>If you subscribe, we store your email address, "
        "whether you want every new post or a weekly digest, and a record of your consent: "
        "when you subscribed, from which form and from which IP address, and when you "
        "confirmed. We also keep a log of the emails we sent you (when, and whether your "
        "mail server accepted them). Nothing else: no tracking pixels, no tracked links. "
        "An address that is never confirmed is deleted after 30 days.</p>"
        "<p>Every email has a link to a page where you can change what you receive, "
        "unsubscribe in one click, download everything we store about you, or delete it.</p>",
        True,
        3,
        False,
    ),
]


def _book_cover():
    image = Image.new("RGB", (300, 450), "#2f4f6f")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=26)
    small = ImageFont.load_default(size=18)
    y = 60
    for line in textwrap.wrap("The Promise of Low Dose Naltrexone Therapy", 16):
        draw.text((24, y), line, fill="#f7f3e8", font=font)
        y += 34
    draw.text((24, 380), "Elaine A. Moore", fill="#f7f3e8", font=small)
    draw.text((24, 402), "Samantha Wilkinson", fill="#f7f3e8", font=small)
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name="promise-of-ldn.png")


def ensure_author(stdout):
    user_model = get_user_model()
    author, created = user_model.objects.get_or_create(
        username=AUTHOR_USERNAME,
        defaults={
            "first_name": "Nancy",
            "last_name": "Sajben",
            "email": "author@example.com",
            "is_staff": True,
            "is_superuser": True,
        },
    )
    if created:
        author.set_password(AUTHOR_PASSWORD)
        author.save()
    AuthorProfile.objects.update_or_create(
        user=author,
        defaults={
            "display_name": "Nancy Sajben",
            "credentials": "MD",
            "bio": "<p>Pain physician in California. Writes on low dose naltrexone, "
            "dextromethorphan and the role of glia in chronic pain.</p>",
        },
    )
    note = "created" if created else "already there; its password is unchanged"
    stdout.write(f"Author account {AUTHOR_USERNAME!r} ({note}).")
    return author


def load(*, stdout, style):
    author = ensure_author(stdout)

    categories = {}
    for slug, name, parent, description in CATEGORIES:
        categories[slug], _ = Category.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "parent": categories.get(parent),
                "description": description,
            },
        )

    book = Book.objects.filter(title="The Promise of Low Dose Naltrexone Therapy").first()
    if book is None:
        book = Book(title="The Promise of Low Dose Naltrexone Therapy")
    book.authors = "Elaine A. Moore & Samantha Wilkinson"
    book.publisher = "McFarland & Company Inc."
    book.year = 2009
    book.blurb = (
        "Grounded in clinical and scientific research, this book describes the history of "
        "naltrexone, its potential therapeutic uses, its effects on the immune system, its "
        "pharmacological properties, and how the drug is administered. It also lists … "
        "patient resources, and includes interviews with LDN patients and researchers."
    )
    if not book.cover:
        book.cover = _book_cover()
    book.save()

    tz = ZoneInfo(settings.TIME_ZONE)
    post, _ = Post.objects.update_or_create(
        slug=SEED_SLUG,
        defaults={
            "title": SEED_TITLE,
            "author": author,
            "body": (CONTENT / "ldn_post.html").read_text(),
            "excerpt": SEED_EXCERPT,
            "status": Post.Status.PUBLISHED,
            "published_at": datetime(2010, 4, 12, 9, 30, tzinfo=tz),
            "is_featured": True,
            "last_reviewed": date(2010, 12, 10),
            "recommended_book": book,
        },
    )
    post.categories.set([categories[slug] for slug in SEED_CATEGORIES])
    post.tags.set(SEED_TAGS)
    for update_date, text in UPDATES:
        PostUpdate.objects.update_or_create(post=post, date=update_date, defaults={"text": text})
    services.post_saved(post=post, cover_changed=False)
    # Reloading the demo is not an edit: keep the post's last edit at its last update.
    Post.objects.filter(pk=post.pk).update(updated_at=datetime(2010, 12, 10, 12, tzinfo=tz))

    for slug, title, body, in_menu, order, home_intro in PAGES:
        Page.objects.update_or_create(
            slug=slug,
            parent=None,
            defaults={
                "title": title,
                "body": body,
                "status": Page.Status.PUBLISHED,
                "show_in_menu": in_menu,
                "menu_order": order,
                "is_home_intro": home_intro,
            },
        )
    stdout.write(f"Seed post: {post.get_absolute_url()}")
