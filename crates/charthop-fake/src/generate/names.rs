//! Word lists the generator draws from. Each name comes with an ASCII spelling used to build
//! email addresses.

/// (display name, ascii spelling)
pub(super) const FIRST_NAMES: &[(&str, &str)] = &[
    ("Ada", "ada"),
    ("Alan", "alan"),
    ("Grace", "grace"),
    ("Linus", "linus"),
    ("Margaret", "margaret"),
    ("Edsger", "edsger"),
    ("Barbara", "barbara"),
    ("Donald", "donald"),
    ("Frances", "frances"),
    ("Ken", "ken"),
    ("Dennis", "dennis"),
    ("Radia", "radia"),
    ("Tim", "tim"),
    ("Shafi", "shafi"),
    ("John", "john"),
    ("Mary", "mary"),
    ("Robert", "robert"),
    ("Patricia", "patricia"),
    ("Michael", "michael"),
    ("Jennifer", "jennifer"),
    ("David", "david"),
    ("Linda", "linda"),
    ("James", "james"),
    ("Susan", "susan"),
    ("Daniel", "daniel"),
    ("Karen", "karen"),
    ("Thomas", "thomas"),
    ("Nancy", "nancy"),
    ("Omar", "omar"),
    ("Priya", "priya"),
    ("Wei", "wei"),
    ("Fatima", "fatima"),
    ("Carlos", "carlos"),
    ("Aisha", "aisha"),
    ("Ivan", "ivan"),
    ("Mei", "mei"),
    ("Kofi", "kofi"),
    ("Ingrid", "ingrid"),
    ("Hugo", "hugo"),
    ("Nina", "nina"),
];

pub(super) const UNICODE_FIRST_NAMES: &[(&str, &str)] = &[
    ("Zoë", "zoe"),
    ("Łukasz", "lukasz"),
    ("José", "jose"),
    ("Søren", "soren"),
    ("Chloé", "chloe"),
    ("Björn", "bjorn"),
    ("Ólafur", "olafur"),
    ("Françoise", "francoise"),
    ("Dvořák", "dvorak"),
    ("太郎", "taro"),
    ("花子", "hanako"),
    ("민준", "minjun"),
    ("Αλέξανδρος", "alexandros"),
];

pub(super) const LAST_NAMES: &[(&str, &str)] = &[
    ("Lovelace", "lovelace"),
    ("Turing", "turing"),
    ("Hopper", "hopper"),
    ("Torvalds", "torvalds"),
    ("Hamilton", "hamilton"),
    ("Dijkstra", "dijkstra"),
    ("Liskov", "liskov"),
    ("Knuth", "knuth"),
    ("Allen", "allen"),
    ("Thompson", "thompson"),
    ("Ritchie", "ritchie"),
    ("Perlman", "perlman"),
    ("Smith", "smith"),
    ("Johnson", "johnson"),
    ("Williams", "williams"),
    ("Brown", "brown"),
    ("Jones", "jones"),
    ("Miller", "miller"),
    ("Davis", "davis"),
    ("Wilson", "wilson"),
    ("Anderson", "anderson"),
    ("Taylor", "taylor"),
    ("Moore", "moore"),
    ("Jackson", "jackson"),
    ("Martin", "martin"),
    ("Lee", "lee"),
    ("Patel", "patel"),
    ("Khan", "khan"),
    ("Chen", "chen"),
    ("Okafor", "okafor"),
    ("Silva", "silva"),
    ("Novak", "novak"),
    ("Larsen", "larsen"),
    ("O'Brien", "obrien"),
    ("Nakamura", "nakamura"),
    ("Rossi", "rossi"),
    ("Cohen", "cohen"),
    ("Kowalski", "kowalski"),
    ("Mensah", "mensah"),
    ("Haddad", "haddad"),
];

pub(super) const UNICODE_LAST_NAMES: &[(&str, &str)] = &[
    ("Müller", "muller"),
    ("Łukasiewicz", "lukasiewicz"),
    ("García", "garcia"),
    ("Østergaard", "ostergaard"),
    ("Nguyễn", "nguyen"),
    ("Çelik", "celik"),
    ("Šimić", "simic"),
    ("山田", "yamada"),
    ("佐藤", "sato"),
    ("김", "kim"),
    ("Παπαδόπουλος", "papadopoulos"),
];

pub(super) const MIDDLE_NAMES: &[&str] = &["Marie", "Lee", "Ann", "James", "Rose", "Jean", "Paul", "Ray"];

pub(super) const PREFERRED_FIRST_NAMES: &[&str] = &["Alex", "Sam", "Max", "Kim", "Jo", "Bo", "Liz", "Bob"];

pub(super) const PREFERRED_LAST_NAMES: &[&str] = &["Smith-Jones", "Rivera", "Ng", "Quinn"];

pub(super) const TITLES: &[&str] = &[
    "Software Engineer",
    "Senior Software Engineer",
    "Staff Engineer",
    "Engineering Manager",
    "Product Manager",
    "Designer",
    "Data Analyst",
    "Account Executive",
    "Sales Manager",
    "Recruiter",
    "HR Business Partner",
    "Financial Analyst",
    "Controller",
    "Support Specialist",
    "Marketing Manager",
    "Operations Lead",
    "Legal Counsel",
    "Office Manager",
    "Director",
    "Vice President",
];

pub(super) const ORG_NAMES: &[&str] =
    &["Acme Corp", "Globex", "Initech", "Umbrella Labs", "Hooli", "Vandelay Industries", "Stark Works"];

pub(super) const DEPARTMENTS: &[&str] = &[
    "Engineering",
    "Product",
    "Design",
    "Sales",
    "Marketing",
    "Finance",
    "People",
    "Legal",
    "Operations",
    "Customer Success",
    "Support",
    "Security",
    "Data",
    "Research",
    "IT",
    "Facilities",
    "Partnerships",
    "Platform",
    "Infrastructure",
    "Mobile",
    "Web",
    "Analytics",
    "Recruiting",
    "Payroll",
    "Procurement",
    "Communications",
    "Strategy",
    "Quality",
    "Compliance",
    "Growth",
];

pub(super) const TEAM_ADJECTIVES: &[&str] = &[
    "Blue", "Red", "Swift", "Quiet", "Bright", "North", "Iron", "Silver", "Golden", "Rapid", "Clever",
    "Bold", "Calm", "Wild", "Lucky", "Brave", "Early", "Sharp", "Happy", "Solid",
];

pub(super) const TEAM_NOUNS: &[&str] = &[
    "Falcons", "Otters", "Comets", "Pioneers", "Rockets", "Foxes", "Owls", "Tigers", "Herons", "Badgers",
    "Lynxes", "Wolves", "Ravens", "Dolphins", "Bears", "Eagles", "Hawks", "Bees", "Sparrows", "Panthers",
];

pub(super) const LOCATIONS: &[(&str, &str)] = &[
    ("New York", "new-york"),
    ("San Francisco", "san-francisco"),
    ("London", "london"),
    ("Berlin", "berlin"),
    ("Zürich", "zurich"),
    ("São Paulo", "sao-paulo"),
    ("東京", "tokyo"),
    ("Toronto", "toronto"),
    ("Kraków", "krakow"),
    ("Bengaluru", "bengaluru"),
    ("Sydney", "sydney"),
    ("Remote", "remote"),
    ("Austin", "austin"),
    ("Dublin", "dublin"),
    ("Paris", "paris"),
    ("Singapore", "singapore"),
    ("Lagos", "lagos"),
    ("Montréal", "montreal"),
    ("Seoul", "seoul"),
    ("Madrid", "madrid"),
];

pub(super) const COST_CENTERS: &[&str] =
    &["Research", "Cost of Revenue", "General & Administrative", "Sales & Marketing", "Capital Projects"];

/// A stable URL slug: lower-case ASCII letters and digits joined by `-`; empty if the name
/// has no ASCII letters or digits at all.
pub(super) fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for word in name.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word.to_ascii_lowercase());
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_keeps_ascii_words() {
        assert_eq!(slugify("General & Administrative"), "general-administrative");
        assert_eq!(slugify("東京"), "");
    }
}
