"""Vocabulary of the demo catalog: categories, brands, product lines, specs and review text.

Pure data read by ``ops.demo.catalog``; editing it changes the generated catalog but never
its determinism (the generator draws from a seeded ``random.Random``).
"""

from dataclasses import dataclass, field

from adapters.catalog_documents import SpecValue

SpecChoices = dict[str, tuple[SpecValue, ...]]


@dataclass(frozen=True)
class CategoryPlan:
    """How products of one category are composed.

    Title = ``{brand} {line}`` then ``, {variant}`` per variant axis; each chosen variant is
    also recorded as a specification of the same name. Prices scatter around the line's.
    """

    name: str
    lines: dict[str, tuple[tuple[str, float], ...]]  # brand -> (product line, list price)
    variants: SpecChoices
    specs: SpecChoices
    highlights: tuple[str, ...]
    brand_specs: dict[str, SpecChoices] = field(default_factory=dict)
    brand_in_title: bool = True  # books are titled by themselves, not by publisher


@dataclass(frozen=True)
class HeroProduct:
    """A hand-written flagship placed first in every catalog (demos and the fuzzy search)."""

    category: str
    brand: str
    title: str
    price: float
    stock: int
    specs: dict[str, SpecValue]


COLORS = ("Black", "White", "Silver", "Blue", "Red", "Green", "Gray", "Navy", "Rose Gold")

CATEGORIES: tuple[CategoryPlan, ...] = (
    CategoryPlan(
        name="Phones",
        lines={
            "Apple": (
                ("iPhone 15 Pro Max", 1199),
                ("iPhone 15 Pro", 999),
                ("iPhone 15", 799),
                ("iPhone 14", 699),
                ("iPhone SE", 429),
            ),
            "Samsung": (
                ("Galaxy S24 Ultra", 1299),
                ("Galaxy S24", 799),
                ("Galaxy A54 5G", 449),
                ("Galaxy Z Flip5", 999),
            ),
            "Google": (("Pixel 8 Pro", 999), ("Pixel 8", 699), ("Pixel 7a", 499)),
            "OnePlus": (("12", 799), ("Nord N30 5G", 299)),
            "Motorola": (("Moto G Power 5G", 299), ("Edge+", 799)),
            "Xiaomi": (("Redmi Note 13 Pro", 329), ("13T Pro", 749)),
        },
        variants={
            "storage": ("128GB", "256GB", "512GB"),
            "color": ("Black", "White", "Blue", "Natural Titanium", "Green", "Pink"),
        },
        specs={
            "ram": ("6GB", "8GB", "12GB"),
            "screenSize": ("6.1 in", "6.4 in", "6.7 in"),
            "network": ("5G", "4G LTE"),
            "unlocked": (True, False),
            "os": ("Android 14",),
        },
        brand_specs={"Apple": {"os": ("iOS 17",), "ram": ("6GB", "8GB")}},
        highlights=(
            "All-day battery with fast charging",
            "Pro-grade camera system with night mode",
            "Bright OLED display with smooth scrolling",
            "Water and dust resistant (IP68)",
            "Unlocked for all major carriers",
        ),
    ),
    CategoryPlan(
        name="Laptops",
        lines={
            "Apple": (("MacBook Air 13", 1099), ("MacBook Air 15", 1299), ("MacBook Pro 14", 1599)),
            "Dell": (("XPS 13 Laptop", 999), ("XPS 15 Laptop", 1499), ("Inspiron 15 Laptop", 549)),
            "Lenovo": (
                ("ThinkPad X1 Carbon", 1429),
                ("IdeaPad Slim 5", 649),
                ("Yoga 7i 2-in-1 Laptop", 849),
                ("Legion 5 Gaming Laptop", 1199),
            ),
            "HP": (("Spectre x360 2-in-1 Laptop", 1249), ("Pavilion 15 Laptop", 599)),
            "ASUS": (
                ("ZenBook 14 OLED", 899),
                ("ROG Strix G16 Gaming Laptop", 1499),
                ("VivoBook 15", 449),
            ),
            "Acer": (
                ("Swift 3 Laptop", 699),
                ("Aspire 5 Laptop", 479),
                ("Nitro 5 Gaming Laptop", 899),
            ),
            "Microsoft": (("Surface Laptop 5", 999),),
        },
        variants={
            "memory": ("8GB RAM", "16GB RAM", "32GB RAM"),
            "storage": ("256GB SSD", "512GB SSD", "1TB SSD"),
        },
        specs={
            "cpu": (
                "Intel Core i5-1335U",
                "Intel Core i7-13700H",
                "AMD Ryzen 5 7530U",
                "AMD Ryzen 7 7840HS",
            ),
            "screenSize": ("13.3 in", "14 in", "15.6 in", "16 in"),
            "os": ("Windows 11 Home", "Windows 11 Pro"),
            "weightKg": (1.2, 1.4, 1.6, 1.9, 2.3),
        },
        brand_specs={"Apple": {"cpu": ("Apple M2", "Apple M3", "Apple M3 Pro"), "os": ("macOS",)}},
        highlights=(
            "Thin and light design",
            "Backlit keyboard and precision touchpad",
            "Up to 14 hours of battery life",
            "Wi-Fi 6E and USB-C ports",
            "Full HD webcam with privacy shutter",
        ),
    ),
    CategoryPlan(
        name="Electronics",
        lines={
            "Sony": (
                ("WH-1000XM5 Wireless Noise Cancelling Headphones", 399),
                ("WF-1000XM4 True Wireless Earbuds", 279),
                ("SRS-XB33 Portable Bluetooth Speaker", 149),
                ("Bravia X80K 55-inch 4K Smart TV", 799),
            ),
            "Bose": (
                ("QuietComfort 45 Wireless Headphones", 329),
                ("SoundLink Flex Bluetooth Speaker", 149),
                ("QuietComfort Ultra Earbuds", 299),
            ),
            "JBL": (
                ("Flip 6 Portable Bluetooth Speaker", 129),
                ("Charge 5 Portable Speaker", 179),
                ("Tune 510BT Wireless Headphones", 49),
            ),
            "Samsung": (
                ("55-inch Crystal UHD 4K Smart TV", 479),
                ("Galaxy Buds2 Pro", 229),
                ("Galaxy Watch6 Smartwatch", 299),
            ),
            "Anker": (
                ("Soundcore Life Q30 Headphones", 79),
                ("PowerCore 20000mAh Portable Charger", 49),
                ("Nano II 65W USB-C Charger", 45),
            ),
            "Logitech": (
                ("MX Master 3S Wireless Mouse", 99),
                ("MX Keys Wireless Keyboard", 119),
                ("C920 HD Pro Webcam", 69),
            ),
            "Canon": (("EOS R50 Mirrorless Camera", 679), ("PowerShot G7 X Mark III", 749)),
            "GoPro": (("HERO12 Black Action Camera", 399),),
        },
        variants={"color": ("Black", "White", "Silver", "Blue", "Midnight")},
        specs={
            "connectivity": ("Bluetooth 5.3", "Wi-Fi", "USB-C", "Bluetooth 5.0"),
            "batteryLifeHours": (8, 12, 20, 30, 40),
            "warrantyMonths": (12, 24),
        },
        highlights=(
            "Rich, detailed sound and picture",
            "Long-lasting rechargeable battery",
            "Quick setup with the companion app",
            "Works with Alexa and Google Assistant",
            "Compact, travel-ready design",
        ),
    ),
    CategoryPlan(
        name="Books",
        brand_in_title=False,
        lines={
            "Penguin Books": (
                ("The Silent Garden", 17),
                ("A Year of Small Things", 15),
                ("The Lighthouse Keeper", 18),
            ),
            "HarperCollins": (
                ("Midnight in the Orchard", 19),
                ("The Last Cartographer", 22),
                ("Salt and Stone", 16),
            ),
            "O'Reilly Media": (
                ("Learning Python", 59),
                ("Fluent Python", 54),
                ("Kafka: The Definitive Guide", 49),
            ),
            "Vintage": (("The Quiet Harbor", 16), ("Letters from the North", 17)),
            "Scholastic": (("The Dragon of Willow Creek", 9), ("Space Cadets", 8)),
            "Simon & Schuster": (("The Art of Patience", 21), ("The Long Road Home", 18)),
        },
        variants={"format": ("Paperback", "Hardcover", "Kindle Edition", "Audiobook")},
        specs={
            "author": (
                "Jane Holloway",
                "Marcus Reed",
                "Elena Park",
                "Samuel Ortiz",
                "Priya Nair",
                "Tom Becker",
            ),
            "pages": (180, 240, 320, 416, 560, 640),
            "language": ("English",),
            "publicationYear": (2015, 2018, 2020, 2021, 2022, 2023),
        },
        highlights=(
            "A New York Times bestseller",
            "Winner of a national book award",
            "Includes a reader's discussion guide",
            "Praised by critics as unputdownable",
            "The author's most acclaimed work",
        ),
    ),
    CategoryPlan(
        name="Home & Kitchen",
        lines={
            "Instant Pot": (
                ("Duo 7-in-1 Electric Pressure Cooker", 99),
                ("Vortex Plus Air Fryer", 129),
            ),
            "Ninja": (("AF101 Air Fryer", 99), ("Professional Blender", 89), ("Foodi Grill", 229)),
            "KitchenAid": (("Artisan Stand Mixer", 449), ("Classic Food Processor", 99)),
            "Keurig": (("K-Classic Coffee Maker", 109), ("K-Mini Coffee Maker", 79)),
            "Cuisinart": (
                ("Custom 14-Cup Food Processor", 229),
                ("Chef's Classic Cookware Set", 199),
            ),
            "Lodge": (("Cast Iron Skillet", 29), ("Enameled Dutch Oven", 79)),
            "Dyson": (("V11 Cordless Vacuum", 569), ("V15 Detect Cordless Vacuum", 749)),
        },
        variants={"size": ("Small", "Medium", "Large", "Family Size")},
        specs={
            "material": ("Stainless Steel", "Cast Iron", "BPA-Free Plastic", "Aluminium"),
            "color": ("Black", "Stainless", "Red", "White"),
            "wattage": (800, 1000, 1200, 1500),
            "dishwasherSafe": (True, False),
        },
        highlights=(
            "Makes weeknight cooking effortless",
            "Dishwasher-safe removable parts",
            "Easy one-touch presets",
            "Built to last for years",
            "Compact footprint for small kitchens",
        ),
    ),
    CategoryPlan(
        name="Toys",
        lines={
            "LEGO": (
                ("Star Wars Millennium Falcon Building Set", 169),
                ("City Fire Station Building Set", 99),
                ("Technic Race Car Building Set", 49),
            ),
            "Hasbro": (
                ("Monopoly Classic Board Game", 21),
                ("Nerf Elite 2.0 Blaster", 29),
                ("Play-Doh Kitchen Creations Playset", 19),
            ),
            "Mattel": (
                ("Barbie Dreamhouse Playset", 199),
                ("Hot Wheels Track Builder Set", 34),
                ("UNO Deluxe Card Game", 12),
            ),
            "Melissa & Doug": (("Wooden Farm Puzzle", 14), ("Deluxe Wooden Train Set", 59)),
            "Fisher-Price": (("Laugh & Learn Smart Puppy", 24), ("Little People Farm", 39)),
        },
        variants={"ageRange": ("3+", "6+", "8+", "12+")},
        specs={
            "pieces": (24, 100, 250, 500, 1351),
            "material": ("Plastic", "Wood", "Cardboard"),
            "batteriesRequired": (True, False),
        },
        highlights=(
            "Encourages creative, open-ended play",
            "Great gift for birthdays and holidays",
            "Builds fine motor and problem-solving skills",
            "Safety tested for little hands",
            "Hours of family fun",
        ),
    ),
    CategoryPlan(
        name="Sports",
        lines={
            "Nike": (("Air Zoom Pegasus Running Shoes", 129), ("Brasilia Duffel Bag", 40)),
            "Adidas": (("Ultraboost Running Shoes", 189), ("Tiro Training Pants", 50)),
            "Under Armour": (("HOVR Sonic Running Shoes", 110), ("Undeniable Backpack", 55)),
            "Wilson": (("Evolution Basketball", 69), ("Clash 100 Tennis Racket", 249)),
            "Spalding": (("NBA Street Basketball", 24),),
            "Coleman": (("Sundome 4-Person Camping Tent", 89), ("Skydome 6-Person Tent", 139)),
            "Hydro Flask": (("Wide Mouth Insulated Water Bottle", 44),),
            "Bowflex": (("SelectTech 552 Adjustable Dumbbells", 429),),
            "Gaiam": (("Premium Yoga Mat", 29),),
        },
        variants={"color": ("Black", "White", "Blue", "Red", "Green", "Gray")},
        specs={
            "material": ("Mesh", "Rubber", "Stainless Steel", "Polyester", "Composite"),
            "indoorOutdoor": ("Indoor", "Outdoor", "Indoor/Outdoor"),
            "warrantyMonths": (6, 12, 24),
        },
        highlights=(
            "Built for training and everyday play",
            "Durable, weather-ready materials",
            "Trusted by athletes worldwide",
            "Lightweight and comfortable",
            "Easy to carry and store",
        ),
    ),
    CategoryPlan(
        name="Beauty",
        lines={
            "CeraVe": (("Moisturizing Cream", 19), ("Hydrating Facial Cleanser", 16)),
            "Neutrogena": (("Hydro Boost Water Gel", 24), ("Ultra Sheer Sunscreen SPF 50", 11)),
            "L'Oreal Paris": (("Revitalift Serum", 29), ("Elvive Shampoo", 7)),
            "Maybelline": (("Lash Sensational Mascara", 11), ("Fit Me Foundation", 9)),
            "The Ordinary": (
                ("Niacinamide 10% + Zinc 1% Serum", 6),
                ("Hyaluronic Acid 2% + B5", 9),
            ),
            "Olaplex": (("No.3 Hair Perfector", 30),),
        },
        variants={"volume": ("30 ml", "50 ml", "100 ml", "236 ml", "473 ml")},
        specs={
            "skinType": ("All", "Dry", "Oily", "Sensitive", "Combination"),
            "scent": ("Fragrance-Free", "Fresh", "Floral"),
            "crueltyFree": (True, False),
        },
        highlights=(
            "Dermatologist recommended",
            "Gentle enough for daily use",
            "Non-comedogenic formula",
            "Visible results in two weeks",
            "Suitable for sensitive skin",
        ),
    ),
    CategoryPlan(
        name="Clothing",
        lines={
            "Levi's": (("501 Original Fit Jeans", 69), ("Trucker Denim Jacket", 89)),
            "Hanes": (("ComfortSoft Crew T-Shirt 6-Pack", 24), ("EcoSmart Hoodie", 22)),
            "Carhartt": (("Loose Fit Midweight Hoodie", 59), ("Rain Defender Jacket", 99)),
            "Columbia": (("Watertight II Rain Jacket", 75), ("Steens Mountain Fleece", 55)),
            "Champion": (("Reverse Weave Sweatshirt", 60), ("Powerblend Sweatpants", 40)),
            "The North Face": (("Resolve 2 Jacket", 110), ("Nuptse Puffer Jacket", 320)),
        },
        variants={
            "size": ("XS", "S", "M", "L", "XL", "XXL"),
            "color": ("Black", "Navy", "Heather Gray", "Olive", "Stonewash", "Red"),
        },
        specs={
            "material": ("100% Cotton", "Cotton Blend", "Polyester", "Nylon", "Denim"),
            "fit": ("Regular", "Slim", "Relaxed"),
            "care": ("Machine Wash", "Hand Wash"),
        },
        highlights=(
            "Soft, breathable fabric",
            "Classic fit that holds its shape",
            "Made for everyday wear",
            "Tagless for all-day comfort",
            "Reinforced seams for durability",
        ),
    ),
    CategoryPlan(
        name="Grocery",
        lines={
            "Starbucks": (("Pike Place Ground Coffee", 11), ("French Roast Whole Bean Coffee", 12)),
            "Lavazza": (("Super Crema Whole Bean Coffee", 22),),
            "Quaker": (("Old Fashioned Oats", 6), ("Instant Oatmeal Variety Pack", 7)),
            "KIND": (("Dark Chocolate Nuts & Sea Salt Bars", 15),),
            "Nature Valley": (("Crunchy Granola Bars", 5), ("Sweet & Salty Nut Bars", 6)),
            "Barilla": (("Classic Spaghetti", 2), ("Protein+ Penne", 3)),
        },
        variants={"pack": ("1 Pack", "2 Pack", "4 Pack", "12 Count", "24 Count")},
        specs={
            "organic": (True, False),
            "glutenFree": (True, False),
            "servings": (12, 24, 36, 48),
        },
        highlights=(
            "Rich, full flavor",
            "A pantry staple for busy mornings",
            "No artificial colors or flavors",
            "Resealable pack keeps it fresh",
            "Great for the whole family",
        ),
    ),
    CategoryPlan(
        name="Garden",
        lines={
            "Scotts": (("Turf Builder Lawn Food", 29), ("EZ Seed Patch & Repair", 24)),
            "Miracle-Gro": (("Indoor Potting Mix", 9), ("Moisture Control Potting Mix", 14)),
            "Fiskars": (("PowerGear2 Pruning Shears", 29), ("Steel Garden Spade", 39)),
            "Greenworks": (("40V Cordless Lawn Mower", 299), ("80V Cordless Leaf Blower", 199)),
            "Sun Joe": (("SPX3000 Electric Pressure Washer", 169),),
            "Weber": (("Spirit II E-310 Gas Grill", 549), ("Original Kettle Charcoal Grill", 179)),
        },
        variants={"size": ("Small", "Medium", "Large")},
        specs={
            "powerSource": ("Battery", "Electric", "Gas", "Manual"),
            "material": ("Steel", "Aluminium", "Plastic", "Organic Blend"),
            "warrantyYears": (1, 2, 3, 5),
        },
        highlights=(
            "Made for a healthier, greener yard",
            "Rust-resistant construction",
            "Easy to use and store",
            "Trusted by gardeners for decades",
            "Weather-resistant for year-round use",
        ),
    ),
    CategoryPlan(
        name="Automotive",
        lines={
            "Michelin": (("Defender2 All-Season Tire", 189), ("Pilot Sport 4S Tire", 289)),
            "Bosch": (("ICON Wiper Blades", 29), ("Clear Advantage Wiper Blade", 17)),
            "Mobil 1": (("Advanced Full Synthetic Motor Oil 5W-30", 29),),
            "NOCO": (("Boost Plus GB40 Jump Starter", 99), ("Genius5 Battery Charger", 69)),
            "Armor All": (("Complete Car Care Kit", 24),),
            "Garmin": (("DriveSmart 66 GPS Navigator", 199), ("Dash Cam 57", 199)),
        },
        variants={"size": ("Standard", "Large", "1 Pack", "2 Pack")},
        specs={
            "vehicleType": ("Car", "SUV", "Truck", "Universal"),
            "warrantyMonths": (12, 24, 36),
            "installationRequired": (True, False),
        },
        highlights=(
            "Fits most cars, trucks and SUVs",
            "Engineered for all-weather performance",
            "Easy installation, no special tools",
            "Trusted by professional mechanics",
            "Long-lasting, road-tested quality",
        ),
    ),
    CategoryPlan(
        name="Pet Supplies",
        lines={
            "Purina": (("Pro Plan Dry Dog Food", 64), ("ONE Dry Cat Food", 24)),
            "Blue Buffalo": (("Life Protection Dry Dog Food", 59), ("Wilderness Cat Food", 39)),
            "KONG": (("Classic Dog Chew Toy", 13), ("Extreme Dog Chew Toy", 16)),
            "Frisco": (("Multi-Level Cat Tree", 79), ("Plush Orthopedic Pet Bed", 45)),
            "Greenies": (("Original Dental Dog Treats", 29),),
        },
        variants={"size": ("Small", "Medium", "Large")},
        specs={
            "lifeStage": ("Puppy", "Adult", "Senior", "All"),
            "flavor": ("Chicken", "Salmon", "Beef", "Unflavored"),
            "madeIn": ("USA", "Canada"),
        },
        highlights=(
            "Vet recommended",
            "Made with quality ingredients",
            "Durable enough for everyday use",
            "Loved by pets and their people",
            "Supports healthy, active pets",
        ),
    ),
    CategoryPlan(
        name="Office Products",
        lines={
            "Moleskine": (("Classic Hardcover Notebook", 22), ("Cahier Journal Set", 14)),
            "Pilot": (("G2 Premium Gel Pens", 12), ("FriXion Erasable Pens", 15)),
            "HP": (("OfficeJet Pro 9015e All-in-One Printer", 229),),
            "Brother": (("HL-L2350DW Laser Printer", 159), ("P-touch Label Maker", 49)),
            "Herman Miller": (("Aeron Office Chair", 1395), ("Sayl Office Chair", 695)),
            "Post-it": (("Super Sticky Notes", 15),),
        },
        variants={"color": ("Black", "Blue", "Gray", "Assorted")},
        specs={
            "material": ("Paper", "Plastic", "Mesh", "Metal"),
            "ecoFriendly": (True, False),
        },
        highlights=(
            "Built for long workdays",
            "Reliable, professional quality",
            "Easy setup in minutes",
            "Thoughtful design for home offices",
            "A favorite of students and professionals",
        ),
    ),
)

HEROES: tuple[HeroProduct, ...] = (
    HeroProduct(
        "Phones",
        "Apple",
        "Apple iPhone 15 Pro 256GB",
        999.99,
        5,
        {
            "storage": "256GB",
            "color": "Natural Titanium",
            "chip": "A17 Pro",
            "ram": "8GB",
            "os": "iOS 17",
        },
    ),
    HeroProduct(
        "Phones",
        "Apple",
        "Apple iPhone 15 128GB",
        799.0,
        120,
        {"storage": "128GB", "color": "Blue", "chip": "A16 Bionic", "ram": "6GB", "os": "iOS 17"},
    ),
    HeroProduct(
        "Phones",
        "Samsung",
        "Samsung Galaxy S24 Ultra 512GB",
        1299.99,
        40,
        {"storage": "512GB", "color": "Titanium Gray", "ram": "12GB", "os": "Android 14"},
    ),
    HeroProduct(
        "Phones",
        "Google",
        "Google Pixel 8 Pro 128GB",
        899.0,
        0,
        {"storage": "128GB", "color": "Obsidian", "ram": "12GB", "os": "Android 14"},
    ),
    HeroProduct(
        "Laptops",
        "Apple",
        "Apple MacBook Air 13-inch M3 16GB 512GB",
        1299.0,
        60,
        {"cpu": "Apple M3", "memory": "16GB RAM", "storage": "512GB SSD", "os": "macOS"},
    ),
    HeroProduct(
        "Electronics",
        "Sony",
        "Sony WH-1000XM5 Wireless Noise Cancelling Headphones",
        399.99,
        3,
        {"color": "Black", "connectivity": "Bluetooth 5.2", "batteryLifeHours": 30},
    ),
    HeroProduct(
        "Home & Kitchen",
        "Instant Pot",
        "Instant Pot Duo 7-in-1 Electric Pressure Cooker 6 Qt",
        89.95,
        250,
        {"capacity": "6 Qt", "material": "Stainless Steel", "wattage": 1000},
    ),
    HeroProduct(
        "Books",
        "O'Reilly Media",
        "Designing Data-Intensive Applications, Paperback",
        44.99,
        500,
        {"author": "Martin Kleppmann", "format": "Paperback", "pages": 616, "language": "English"},
    ),
)

REVIEWERS = (
    "Alex M.",
    "Jordan P.",
    "Sam K.",
    "Taylor R.",
    "Chris D.",
    "Morgan L.",
    "Jamie S.",
    "Riley T.",
    "Casey B.",
    "Avery W.",
    "Drew H.",
    "Quinn F.",
    "Robin G.",
    "Jesse N.",
)

REVIEW_TEXTS: dict[int, tuple[str, ...]] = {
    5: (
        "Exactly as described. Would buy again!",
        "Fantastic quality for the price.",
        "Exceeded my expectations in every way.",
        "Arrived early and works perfectly.",
    ),
    4: (
        "Very good overall, a couple of minor quirks.",
        "Solid purchase, does what it says.",
        "Happy with it, packaging could be better.",
    ),
    3: (
        "It's okay. Does the job but nothing special.",
        "Average quality, fair price.",
        "Mixed feelings: some parts great, some not.",
    ),
    2: (
        "Not great. Stopped working properly after a month.",
        "Cheaper materials than I expected.",
    ),
    1: (
        "Disappointed. Returned it.",
        "Arrived damaged and support was slow.",
    ),
}
