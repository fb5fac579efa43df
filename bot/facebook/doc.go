// Package facebook reads and acts on Facebook pages through the Graph API,
// using github.com/huandu/facebook/v2.
//
// A Connector serves every configured page of one Meta app. Its Poll is the
// cheap pass the scheduler runs every few minutes: one feed request per page
// with the comments of each post expanded in the same answer
// (comments.filter(stream).limit(100)), following paging only when a post
// has more comments than fit, or the window more posts than a page holds.
// The Graph base URL and version are configurable so that the same code runs
// against Meta in production and against uppsikt's emulator in the demo and
// in tests. Tokens are sent with appsecret_proof and never logged.
package facebook
