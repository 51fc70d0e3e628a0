// tests/programs/cxx_words.cpp -- a C++ program on Debian's libc++ for wasm32-wasi (libc++-14-dev-wasm32,
// libc++abi-14-dev-wasm32), built with -fno-exceptions (that libc++abi has no exception support): reads a text file
// named by argv[1] from the preopened directory with std::ifstream, counts words in a std::map and a std::unordered_map,
// sorts with <algorithm>, formats with iostream manipulators and std::ostringstream, and exercises virtual calls,
// templates, lambdas/std::function and std::unique_ptr. Prints a report; exit status 3 when the file is missing.
#include <algorithm>
#include <cctype>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

struct Shape {
  virtual ~Shape() = default;
  virtual double area() const = 0;
  virtual std::string name() const = 0;
};
struct Rect : Shape {
  double w, h;
  Rect(double w, double h) : w(w), h(h) {}
  double area() const override { return w * h; }
  std::string name() const override { return "rect"; }
};
struct Circle : Shape {
  double r;
  explicit Circle(double r) : r(r) {}
  double area() const override { return 3.14159265358979 * r * r; }
  std::string name() const override { return "circle"; }
};

template <typename T>
T sumOf(const std::vector<T>& v) {
  return std::accumulate(v.begin(), v.end(), T{});
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: cxx_words FILE\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  if (!in) {
    std::cerr << "cannot open " << argv[1] << "\n";
    return 3;
  }
  std::map<std::string, int> counts;
  std::unordered_map<char, int> initials;
  std::vector<std::string> words;
  std::string word;
  while (in >> word) {
    word.erase(std::remove_if(word.begin(), word.end(), [](unsigned char c) { return !std::isalpha(c); }), word.end());
    if (word.empty()) continue;
    word = lower(word);
    ++counts[word];
    ++initials[word[0]];
    words.push_back(word);
  }
  std::cout << "words: " << words.size() << ", distinct: " << counts.size() << "\n";

  std::vector<std::pair<std::string, int>> byCount(counts.begin(), counts.end());
  std::stable_sort(byCount.begin(), byCount.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  for (size_t i = 0; i < 3 && i < byCount.size(); ++i)
    std::cout << std::setw(8) << std::left << byCount[i].first << std::right << std::setw(3) << byCount[i].second << "\n";

  std::vector<char> keys;
  for (const auto& [c, n] : initials) keys.push_back(c);
  std::sort(keys.begin(), keys.end());
  std::ostringstream os;
  for (char c : keys) os << c << initials[c];
  std::cout << "initials: " << os.str() << "\n";

  std::string longest = *std::max_element(words.begin(), words.end(),
                                          [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
  std::cout << "longest: " << longest << " (" << longest.size() << ")\n";

  std::vector<std::unique_ptr<Shape>> shapes;
  shapes.push_back(std::make_unique<Rect>(2, 3.5));
  shapes.push_back(std::make_unique<Circle>(1.5));
  std::vector<double> areas;
  for (const auto& s : shapes) {
    areas.push_back(s->area());
    std::cout << s->name() << " " << std::fixed << std::setprecision(3) << s->area() << "\n";
  }
  std::cout << "total area " << sumOf(areas) << ", sum of ints " << sumOf(std::vector<int>{1, 2, 3, 4}) << "\n";

  std::function<unsigned long long(int)> fact = [&](int n) { return n <= 1 ? 1ULL : n * fact(n - 1); };
  std::cout << "20! = " << fact(20) << "\n";
  std::cout << "hex " << std::hex << 48879 << std::dec << ", bool " << std::boolalpha << (counts.count("the") > 0)
            << "\n";
  return 0;
}
