/// A connector type: its options are declared once (`spec`, built from its
/// `OptionKey`s) and it is built from the checked values of those options.
/// The registry stores the type; nothing is cast back.
public protocol Connector: AnyObject {
    static var spec: ConnectorSpec { get }
    init(options: Options, context: BuildContext) throws
}

public protocol SourceConnector: Source, Connector {}
public protocol TransformConnector: Transform, Connector {}
public protocol SinkConnector: Sink, Connector {}
public protocol NotifierConnector: Notifier, Connector {}
