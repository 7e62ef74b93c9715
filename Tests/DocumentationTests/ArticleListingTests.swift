// ArticleListingTests.swift: every article's and landing page's ```swift blocks are the listings a test file compiles and runs.
import Foundation
import Testing
import TestSupport

/// Every article's and landing page's ```swift blocks are the listings a test file compiles and runs.
@Suite struct ArticleListingTests {
    /// Article, the test file holding its listings, and the prefix of their names in that file.
    static let articles: [(article: String, tests: String, prefix: String)] = [
        (TheLessonInSwiftTests.article, "TheLessonInSwiftTests.swift", ""),
        (ChoosingAndCheckingBackendsTests.article, "ChoosingAndCheckingBackendsTests.swift", ""),
        (VanishingGradientsTests.article, "VanishingGradientsTests.swift", ""),
        ("Sources/Backprop/Backprop.docc/Backprop.md", "LandingPageTests.swift", "backprop-"),
        ("Sources/Linalg/Linalg.docc/Linalg.md", "LandingPageTests.swift", "linalg-"),
        ("Sources/Datasets/Datasets.docc/Datasets.md", "LandingPageTests.swift", "datasets-"),
        ("Sources/NumPyFormat/NumPyFormat.docc/NumPyFormat.md", "LandingPageTests.swift", "numpyformat-"),
        ("Sources/ModelFiles/ModelFiles.docc/ModelFiles.md", "LandingPageTests.swift", "modelfiles-"),
    ]

    @Test(arguments: articles.map(\.article))
    func articleListingsAreTheTestedCode(article: String) throws {
        let entry = Self.articles.first { $0.article == article }!
        let path = TestData.packageRoot.appendingPathComponent("Tests/DocumentationTests/\(entry.tests)").path
        try ArticleCheck.code(article: article, tests: path, prefix: entry.prefix)
    }

    /// Every article in a catalog is in the table above, so none escapes the check.
    @Test func everyArticleIsChecked() throws {
        let fm = FileManager.default
        let sources = TestData.packageRoot.appendingPathComponent("Sources")
        var found: [String] = []
        for module in try fm.contentsOfDirectory(atPath: sources.path) {
            let catalog = "Sources/\(module)/\(module).docc"
            guard let names = try? fm.contentsOfDirectory(atPath: TestData.packageRoot.appendingPathComponent(catalog).path) else { continue }
            found += names.filter { $0.hasSuffix(".md") }.map { "\(catalog)/\($0)" }
        }
        #expect(found.count >= 8)
        #expect(Set(found) == Set(Self.articles.map(\.article)))
    }

    @Test func theCheckerFindsListingsAndBlocks() {
        let swift = """
            func f() {
                // listing: one
                let a = 1
                    print(a)
                // end listing
            }
            """
        #expect(Listings.listings(inSwift: swift) == [.init(name: "one", code: "let a = 1\n    print(a)", comparesOutput: true)])
        let markdown = "Text\n\n```swift\nlet a = 1\n```\n\nIt prints:\n\n```text\n1\n```\n\n```sh\nls\n```\n"
        #expect(Listings.blocks(inArticle: markdown) == [.init(code: "let a = 1", output: "1")])
    }

    @Test func aChangedListingIsCaught() throws {
        let dir = TestData.temporaryDirectory()
        let article = dir.appendingPathComponent("A.md"), tests = dir.appendingPathComponent("T.swift")
        try "```swift\nlet a = 2\n```\n".write(to: article, atomically: true, encoding: .utf8)
        try "    // listing: a\n    let a = 1\n    // end listing\n".write(to: tests, atomically: true, encoding: .utf8)
        #expect(throws: ArticleCheck.Mismatch.self) {
            try ArticleCheck.code(article: article.path, tests: tests.path)
        }
    }
}
