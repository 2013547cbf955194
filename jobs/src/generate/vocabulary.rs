//! The word lists and tables the records are drawn from: ratings and their weights, calendar
//! weights, tone and filler words, names, styles, categories, brands and the scraped pages'
//! junk. Strings written without `push_json_string` (category names, price junk) must hold no
//! quote, backslash or control character; a test checks.

/// Ratings and their weights per mille: 5 60%, 4 20%, 3 8%, 2 5%, 1 6.9%, and a rare 0.
pub(super) const RATINGS: [(u8, u32); 6] = [(5, 600), (4, 200), (3, 80), (2, 50), (1, 69), (0, 1)];
pub(super) const STAR_SUMMARIES: [&str; 6] =
    ["One Star", "One Star", "Two Stars", "Three Stars", "Four Stars", "Five Stars"];

pub(super) const FIRST_REVIEW_YEAR: u32 = 1996;
pub(super) const LAST_REVIEW_YEAR: u32 = 2018;
/// Reviews per year from 1996 to 2018: few early on, most after 2012.
pub(super) const YEAR_WEIGHTS: [u32; 23] =
    [1, 2, 4, 8, 15, 20, 25, 30, 40, 55, 75, 120, 160, 220, 300, 450, 750, 1_400, 2_100, 2_700, 2_900, 3_100, 3_200];
/// Reviews per month, January to December: a holiday peak in December and January.
pub(super) const MONTH_WEIGHTS: [u32; 12] = [125, 95, 100, 95, 95, 95, 100, 100, 90, 95, 105, 130];
pub(super) const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

pub(super) const POSITIVE_WORDS: &[&str] = &[
    "great",
    "love",
    "excellent",
    "perfect",
    "comfortable",
    "good",
    "amazing",
    "awesome",
    "nice",
    "happy",
    "recommend",
    "best",
    "beautiful",
    "sturdy",
    "wonderful",
    "fantastic",
    "easy",
    "fast",
];
pub(super) const NEGATIVE_WORDS: &[&str] = &[
    "bad",
    "terrible",
    "poor",
    "broke",
    "disappointed",
    "worst",
    "cheap",
    "useless",
    "awful",
    "returned",
    "waste",
    "flimsy",
    "horrible",
    "defective",
    "wrong",
    "annoying",
];
pub(super) const MIXED_WORDS: &[&str] =
    &["okay", "average", "decent", "fine", "mediocre", "acceptable", "so-so", "alright", "ordinary", "fair"];
pub(super) const FILLER_WORDS: &[&str] = &[
    "the",
    "this",
    "it",
    "product",
    "item",
    "size",
    "color",
    "quality",
    "price",
    "shipping",
    "box",
    "arrived",
    "after",
    "week",
    "month",
    "use",
    "daughter",
    "son",
    "wife",
    "husband",
    "gift",
    "bought",
    "for",
    "and",
    "was",
    "is",
    "very",
    "really",
    "with",
    "my",
    "a",
    "of",
    "to",
    "in",
    "fits",
    "looks",
    "works",
    "battery",
    "material",
    "book",
    "story",
    "read",
    "characters",
    "game",
    "kids",
    "time",
    "days",
    "order",
    "package",
    "again",
    "would",
    "but",
    "just",
    "as",
    "described",
    "expected",
    "money",
    "value",
    "don't",
    "it's",
    "I'm",
    "we",
    "they",
    "one",
    "two",
    "first",
];

pub(super) const FIRST_NAMES: &[&str] = &[
    "John",
    "Mary",
    "James",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "William",
    "Elizabeth",
    "David",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Daniel",
    "Nancy",
    "Matthew",
    "Lisa",
    "Anthony",
    "Betty",
    "Mark",
    "Sandra",
    "Steven",
    "Ashley",
];
pub(super) const LAST_NAMES: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Stoiber",
];

pub(super) const STYLES: &[(&str, &[&str])] = &[
    ("Size:", &[" Small", " Medium", " Large", " X-Large", " 8.5", " 10 B(M) US"]),
    ("Color:", &[" Black", " White", " Navy", " Red", " Heather Grey"]),
    ("Format:", &[" Paperback", " Kindle Edition", " Hardcover", " Audio CD", " DVD"]),
    ("Style:", &[" Classic", " Modern", " Pack of 2"]),
    ("Size Name:", &[" 1 Pack", " Family Size"]),
    ("Package Quantity:", &[" 1", " 3", " 12"]),
    ("Gift Amount:", &[" 25", " 50", " 100"]),
    ("Edition:", &[" Standard", " Deluxe"]),
];

/// A product category: `name` is the plain name (breadcrumbs, ranks), `main_cat` the form the
/// `main_cat` field carries (entity-escaped where the real one was).
pub(super) struct Category {
    pub(super) name: &'static str,
    pub(super) main_cat: &'static str,
    pub(super) weight: u32,
    pub(super) typical_price: f64,
    pub(super) subcategories: &'static [&'static str],
    pub(super) items: &'static [&'static str],
}

/// Weighted like the reference's gold table: Books first, then AMAZON FASHION and Amazon Home.
pub(super) const CATEGORIES: &[Category] = &[
    Category {
        name: "Books",
        main_cat: "Books",
        weight: 300,
        typical_price: 15.0,
        subcategories: &["Literature & Fiction", "Mystery, Thriller & Suspense", "Children's Books"],
        items: &["Novel", "Cookbook", "Paperback Edition"],
    },
    Category {
        name: "AMAZON FASHION",
        main_cat: "AMAZON FASHION",
        weight: 140,
        typical_price: 30.0,
        subcategories: &["Clothing, Shoes & Jewelry", "Women", "Men"],
        items: &["Cotton T-Shirt", "Running Shoe", "Denim Jacket"],
    },
    Category {
        name: "Amazon Home",
        main_cat: "Amazon Home",
        weight: 80,
        typical_price: 35.0,
        subcategories: &["Kitchen & Dining", "Bedding", "Home Décor"],
        items: &["Coffee Maker", "Throw Pillow", "Knife Set"],
    },
    Category {
        name: "Toys & Games",
        main_cat: "Toys &amp; Games",
        weight: 50,
        typical_price: 25.0,
        subcategories: &["Puzzles", "Games", "Stuffed Animals & Plush Toys"],
        items: &["Jigsaw Puzzle", "Board Game", "Plush Bear"],
    },
    Category {
        name: "Sports & Outdoors",
        main_cat: "Sports &amp; Outdoors",
        weight: 45,
        typical_price: 40.0,
        subcategories: &["Outdoor Recreation", "Exercise & Fitness"],
        items: &["Yoga Mat", "Camping Lantern", "Water Bottle"],
    },
    Category {
        name: "Tools & Home Improvement",
        main_cat: "Tools &amp; Home Improvement",
        weight: 40,
        typical_price: 45.0,
        subcategories: &["Power Tools", "Hardware"],
        items: &["Cordless Drill", "Tape Measure", "LED Bulb"],
    },
    Category {
        name: "Health & Personal Care",
        main_cat: "Health &amp; Personal Care",
        weight: 35,
        typical_price: 20.0,
        subcategories: &["Vitamins & Dietary Supplements", "Personal Care"],
        items: &["Multivitamin", "Electric Toothbrush", "Heating Pad"],
    },
    Category {
        name: "All Beauty",
        main_cat: "All Beauty",
        weight: 30,
        typical_price: 18.0,
        subcategories: &["Skin Care", "Hair Care"],
        items: &["Face Cream", "Shampoo", "Nail Polish"],
    },
    Category {
        name: "Cell Phones & Accessories",
        main_cat: "Cell Phones &amp; Accessories",
        weight: 40,
        typical_price: 15.0,
        subcategories: &["Cases, Holsters & Sleeves", "Chargers & Power Adapters"],
        items: &["Phone Case", "USB Charger", "Screen Protector"],
    },
    Category {
        name: "Arts, Crafts & Sewing",
        main_cat: "Arts, Crafts &amp; Sewing",
        weight: 25,
        typical_price: 12.0,
        subcategories: &["Painting, Drawing & Art Supplies", "Sewing"],
        items: &["Acrylic Paint Set", "Sketchbook", "Yarn"],
    },
    Category {
        name: "Automotive",
        main_cat: "Automotive",
        weight: 30,
        typical_price: 35.0,
        subcategories: &["Replacement Parts", "Interior Accessories"],
        items: &["Wiper Blade", "Floor Mat", "Tire Gauge"],
    },
    Category {
        name: "Office Products",
        main_cat: "Office Products",
        weight: 20,
        typical_price: 20.0,
        subcategories: &["Office & School Supplies"],
        items: &["Gel Pen", "Stapler", "Desk Organizer"],
    },
    Category {
        name: "Grocery",
        main_cat: "Grocery",
        weight: 20,
        typical_price: 10.0,
        subcategories: &["Beverages", "Snack Foods"],
        items: &["Green Tea", "Trail Mix", "Olive Oil"],
    },
    Category {
        name: "Pet Supplies",
        main_cat: "Pet Supplies",
        weight: 20,
        typical_price: 22.0,
        subcategories: &["Dogs", "Cats"],
        items: &["Dog Leash", "Cat Tree", "Pet Bed"],
    },
    Category {
        name: "Movies & TV",
        main_cat: "Movies &amp; TV",
        weight: 30,
        typical_price: 14.0,
        subcategories: &["Movies", "TV"],
        items: &["Blu-ray", "DVD Box Set", "Season 1"],
    },
    Category {
        name: "Digital Music",
        main_cat: "Digital Music",
        weight: 15,
        typical_price: 9.0,
        subcategories: &["Pop", "Rock"],
        items: &["Album", "Single", "Live Recording"],
    },
    Category {
        name: "Video Games",
        main_cat: "Video Games",
        weight: 15,
        typical_price: 40.0,
        subcategories: &["PlayStation 4", "Nintendo Switch"],
        items: &["Controller", "Game", "Headset"],
    },
    Category {
        name: "Computers",
        main_cat: "Computers",
        weight: 20,
        typical_price: 80.0,
        subcategories: &["Computer Accessories & Peripherals", "Laptops"],
        items: &["Wireless Mouse", "Keyboard", "USB Hub"],
    },
    Category {
        name: "All Electronics",
        main_cat: "All Electronics",
        weight: 30,
        typical_price: 60.0,
        subcategories: &["Headphones", "Portable Audio & Video"],
        items: &["Bluetooth Speaker", "Earbuds", "HDMI Cable"],
    },
    Category {
        name: "Industrial & Scientific",
        main_cat: "Industrial &amp; Scientific",
        weight: 10,
        typical_price: 50.0,
        subcategories: &["Lab & Scientific Products"],
        items: &["Digital Scale", "Safety Glasses", "Nitrile Gloves"],
    },
    Category {
        name: "Musical Instruments",
        main_cat: "Musical Instruments",
        weight: 10,
        typical_price: 90.0,
        subcategories: &["Guitars", "Instrument Accessories"],
        items: &["Guitar Strings", "Ukulele", "Capo"],
    },
    Category {
        name: "Gift Cards",
        main_cat: "Gift Cards",
        weight: 5,
        typical_price: 50.0,
        subcategories: &["Gift Cards"],
        items: &["Gift Card", "eGift Card", "Gift Card in a Box"],
    },
];

pub(super) const BRANDS: &[&str] = &[
    "Nintendo",
    "Acme",
    "Sony",
    "Samsung",
    "Hanes",
    "Carhartt",
    "Penguin Books",
    "LEGO",
    "Crayola",
    "Anker",
    "KitchenAid",
    "Amazon",
    "Generic",
    "Fisher-Price",
    "Levi's",
    "Columbia",
    "Hasbro",
    "Logitech",
    "Bosch",
    "Nike",
];
pub(super) const TITLE_ADJECTIVES: &[&str] =
    &["Classic", "Premium", "Deluxe", "Portable", "Heavy Duty", "Organic", "Vintage", "Ultra-Soft", "Compact", "New"];
pub(super) const TITLE_ENTITY_WORDS: &[&str] = &["Men&rsquo;s ", "Kid&#39;s ", "&quot;Original&quot; ", "Women&#39;s "];
pub(super) const TITLE_DETAILS: &[&str] =
    &["", "", ", Black", ", Pack of 2", " - Large", ", 12 oz", " (2nd Edition)", " &amp; More", " - Blue/Grey"];

pub(super) const FEATURES: &[&str] = &[
    "100% cotton",
    "Machine wash cold, tumble dry low",
    "Includes 2 AA batteries",
    "BPA free &amp; dishwasher safe",
    "Lightweight and durable",
    "Compatible with iPhone 8, X &amp; XS",
    "1-year manufacturer&#39;s warranty",
    "Imported",
];
pub(super) const DESCRIPTIONS: &[&str] = &[
    "A great addition to any collection.",
    "<b>Product description</b><br>Made from premium materials for everyday use.<br /><br />",
    "From the Publisher: a story of courage &amp; hope.",
    "Statements regarding dietary supplements have not been evaluated by the FDA.",
    "<div class=\"aplus\"> <p>Designed in California. Assembled in China.</p> </div>",
];
pub(super) const TECH_DETAILS: &[&str] = &[
    "class=\"a-keyvalue prodDetTable\" role=\"presentation\">",
    "Brand Name: Generic; Model: X-200",
    "<table id=\"productDetails_techSpec_section_1\">",
];
pub(super) const FIT_JUNK: &str =
    "class=\"a-normal a-align-center a-spacing-small\">\n<tbody>\n<tr>\n<td class=\"a-span3\">";
pub(super) const SIMILAR_ITEM_JUNK: &str =
    " class=\"a-bordered a-horizontal-stripes  a-spacing-extra-large a-size-base comparison_table\">";
pub(super) const PRICE_JUNK: &[&str] = &[
    ".a-box-inner{background-color:#fff}#alohaBuyBoxWidget .selected{background-color:#fffbf3}",
    ".a-section.a-spacing-mini{margin-bottom:0}",
];
pub(super) const DETAILS: &[(&str, &[&str])] = &[
    ("\n    Product Dimensions: \n    ", &["3.4 x 2.1 inches ; 1.44 ounces", "10 x 8 x 2 inches ; 1.2 pounds"]),
    ("Shipping Weight:", &["3 ounces", "1.8 pounds (", "12.8 ounces (View shipping rates and policies)"]),
    ("Item model number:", &["XJ-200", "B-1001", "MX-5"]),
    ("Language:", &["English", "Spanish"]),
    ("Publisher:", &["Penguin Books (June 6, 2016)", "Scholastic; 1st edition"]),
    ("Domestic Shipping: ", &["Item can be shipped within U.S."]),
    ("International Shipping: ", &["This item is not eligible for international shipping."]),
    ("UPC:", &["885909950805", "012345678905"]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_table_strings_need_no_json_escaping() {
        let needs_escaping = |text: &str| text.chars().any(|c| c == '"' || c == '\\' || c.is_control());
        for category in CATEGORIES {
            assert!(!needs_escaping(category.name) && !needs_escaping(category.main_cat), "{}", category.name);
            assert!(category.subcategories.iter().all(|&sub| !needs_escaping(sub)), "{}", category.name);
        }
        assert!(PRICE_JUNK.iter().all(|&junk| !needs_escaping(junk)));
    }
}
