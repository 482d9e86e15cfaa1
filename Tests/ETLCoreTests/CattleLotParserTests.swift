@testable import ETLCore
import Testing

@Suite("CSV parsing")
struct CattleLotParserTests {
    let parser = CattleLotParser()

    @Test("valid rows become lots, with quoted fields and CRLF line ends")
    func validRows() throws {
        let parsed = try parser.parse("farm,lot,head_count,weight_kg,price\r\n\"Fazenda Boa Vista, MS\",L1,40,450.5,12000.75\r\n\nsitio,L2,3,380,900\r\n")
        #expect(parsed.rejected.isEmpty)
        #expect(parsed.lots == [
            CattleLot(farm: "Fazenda Boa Vista, MS", lot: "L1", headCount: 40, weightKg: 450.5, price: 12000.75),
            CattleLot(farm: "sitio", lot: "L2", headCount: 3, weightKg: 380, price: 900),
        ])
    }

    @Test("a wrong header rejects the whole file as a validation error")
    func wrongHeader() {
        #expect(throws: FileRejection.self) { try parser.parse("fazenda;lote;cabecas;peso;preco\nx;1;2;3;4\n") }
        do {
            _ = try parser.parse("fazenda;lote;cabecas;peso;preco\n")
        } catch {
            #expect(error.errorType == .validation)
            #expect(error.message.contains("expected farm,lot,head_count,weight_kg,price"))
        }
    }

    @Test("empty content is a validation error", arguments: [nil, "", "  \n\n"] as [String?])
    func empty(content: String?) {
        #expect(throws: FileRejection(errorType: .validation, message: "file is empty")) { try parser.parse(content) }
    }

    @Test("too large content is a resource error")
    func tooLarge() {
        let small = CattleLotParser(maxBytes: 40)
        #expect(throws: FileRejection.self) { try small.parse(validCSV(rows: 5)) }
        do { _ = try small.parse(validCSV(rows: 5)) } catch { #expect(error.errorType == .resource) }
    }

    @Test("malformed rows are validation rejections, implausible ones data rejections, each with its line")
    func rejections() throws {
        let csv = """
            farm,lot,head_count,weight_kg,price
            f,L1,40,450,1000
            f,L2,abc,450,1000
            f,L3,40,450
            f,L4,-5,450,1000
            f,L5,40,4500,1000
            f,L1,40,450,1000
            ,L7,40,450,1000
            f,L8,40,450,-1
            """
        let parsed = try parser.parse(csv)
        #expect(parsed.lots.map(\.lot) == ["L1"])
        #expect(parsed.rejected.map(\.line) == [3, 4, 5, 6, 7, 8, 9])
        #expect(parsed.rejected.map(\.errorType) == [.validation, .validation, .data, .data, .data, .validation, .data])
        #expect(parsed.rejected[0].message == "head_count 'abc' is not an integer")
        #expect(parsed.rejected[4].message.contains("duplicate lot 'L1'"))
        #expect(parsed.rejected[1].raw == "f,L3,40,450")
    }
}
