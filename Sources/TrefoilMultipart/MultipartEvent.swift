/// One step of a multipart body, in the order it appears on the wire.
public enum MultipartEvent {
    /// A part starts; its headers are complete.
    case partBegin(MultipartPartHeaders)
    /// Some bytes of the current part's body, valid only until the handler returns.
    case body(UnsafeRawBufferPointer)
    /// The current part's body is complete.
    case partEnd
}
