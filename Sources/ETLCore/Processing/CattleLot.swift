/// One valid row of an uploaded CSV, as loaded into `cattle_lot`.
public struct CattleLot: Sendable, Equatable {
    /// Farm name.
    public var farm: String
    /// Lot code, unique per farm within a file.
    public var lot: String
    /// Number of animals.
    public var headCount: Int
    /// Average weight per head, kg.
    public var weightKg: Double
    /// Price of the lot.
    public var price: Double

    /// Creates a lot.
    public init(farm: String, lot: String, headCount: Int, weightKg: Double, price: Double) {
        self.farm = farm
        self.lot = lot
        self.headCount = headCount
        self.weightKg = weightKg
        self.price = price
    }
}
