/* hist.c: quantiles estimated from the histograms op stats returns. */
#include "config.h"

#include "client/stirctl/cmd_stats.h"

int
ctl_hist_quantile(const json_t *sample, double q, double *ret)
{
	const json_t *buckets = json_object_get(sample, "buckets"), *b;
	double count = json_number_value(json_object_get(sample, "count"));
	double rank, lo = 0.0, prev = 0.0, le = 0.0;
	size_t i;

	if (!json_is_array(buckets) || !(count > 0) || !(q > 0 && q < 1))
		return -1;
	json_array_foreach(buckets, i, b) {
		double c = json_number_value(json_object_get(b, "count"));

		le = json_number_value(json_object_get(b, "le"));
		if (c < prev || c > count || (i > 0 && le <= lo))
			return -1;	/* not cumulative, or not ascending */
		prev = c;
		lo = le;
	}
	rank = q * count;
	lo = prev = 0.0;
	json_array_foreach(buckets, i, b) {
		double c = json_number_value(json_object_get(b, "count"));

		le = json_number_value(json_object_get(b, "le"));
		if (c >= rank) {
			/* within (lo, le]: interpolate by rank */
			*ret = lo + (le - lo) * (rank - prev) / (c - prev);
			return 0;
		}
		prev = c;
		lo = le;
	}
	*ret = le;	/* in the +Inf bucket: at least the last bound */
	return 1;
}
